// kill -9 and restart of the daemon, CAPI through the real libcapi20 (native transport): each
// daemon child gets a HOME whose .capi20rc points libcapi20 at the simulator.
import { killRestartScenario } from './test-support/kill-restart.js';

killRestartScenario('native');
