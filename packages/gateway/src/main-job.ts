// The daemon's process: `npm run gateway`, the systemd unit (infra/faxgate.service) and the
// e2e tests run this file. `--daemon` is accepted for the unit files and scripts that still
// pass it; it changes nothing. The demo is its own package (@faxgate/demo, `npm start`), so
// this process never loads the simulator.
import { runDaemon } from './run-daemon.js';

await runDaemon();
