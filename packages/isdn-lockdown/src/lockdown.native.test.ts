// The same lockdown scenarios through the real libcapi20 (native transport). This file runs
// in its own vitest worker process: libcapi20 reads $HOME/.capi20rc at its first call.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeTransport } from '@faxgate/capi-bindings/native';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { afterAll, beforeAll, describe } from 'vitest';
import { lockdownScenarios } from './test-support/scenarios.js';

let sim: Simulator;
let home: string;
beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-lockdown-capi-'));
  // The last line must end in a newline: libcapi20 chops each line's last character.
  fs.writeFileSync(path.join(home, '.capi20rc'), `REMOTE rcapi 127.0.0.1 ${sim.port}\nTRACELEVEL 0\n`);
  process.env.HOME = home;
});
afterAll(async () => {
  await sim?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('lockdown against capi-sim through the real libcapi20', () => {
  lockdownScenarios({ sim: () => sim, transport: () => new NativeTransport() });
});
