// Line supervision and per-controller channels over the pure-TypeScript rcapi transport.
import { channelScenarios, lineSupervisionScenarios } from '../test-support/line-scenarios.js';

lineSupervisionScenarios({ transport: 'rcapi' });
channelScenarios({ transport: 'rcapi' });
