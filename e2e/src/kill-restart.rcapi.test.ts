// kill -9 and restart of the daemon, CAPI over the pure-TypeScript rcapi transport.
import { killRestartScenario } from './test-support/kill-restart.js';

killRestartScenario('rcapi');
