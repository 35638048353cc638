// Line supervision and per-controller channels over the pure-TypeScript rcapi transport.
import {
  channelScenarios,
  lineSupervisionScenarios,
  startDownScenarios,
} from '../test-support/line-scenarios.js';

lineSupervisionScenarios({ transport: 'rcapi' });
channelScenarios({ transport: 'rcapi' });
startDownScenarios({ transport: 'rcapi' });
