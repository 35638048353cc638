// Line supervision and per-controller channels through the real libcapi20 (native transport)
// against capi-sim. Its own vitest worker process: libcapi20 reads $HOME/.capi20rc at its
// first call, so the file names the simulator before the gateway opens its transports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import {
  channelScenarios,
  lineSupervisionScenarios,
  startDownScenarios,
} from '../test-support/line-scenarios.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-lines-capi-'));
process.env.HOME = home;
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// The last line must end in a newline: libcapi20 chops each line's last character.
const prepare = (sim: { port: number }) =>
  fs.writeFileSync(path.join(home, '.capi20rc'), `REMOTE rcapi 127.0.0.1 ${sim.port}\nTRACELEVEL 0\n`);

lineSupervisionScenarios({ transport: 'native', prepare });
channelScenarios({ transport: 'native', prepare });
startDownScenarios({ transport: 'native', prepare });
