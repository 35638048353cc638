// The outgoing pipeline end to end over the pure-TypeScript rcapi transport.
import { pipelineScenarios } from '../test-support/pipeline-scenarios.js';

pipelineScenarios('rcapi');
