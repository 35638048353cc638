// The incoming path through the real libcapi20. This file runs in its own vitest worker
// process: libcapi20 reads $HOME/.capi20rc at its first call, so HOME is set per simulator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeTransport } from '@faxgate/capi-bindings/native';
import { afterAll, describe } from 'vitest';
import { receiverScenarios } from '../test-support/receiver-scenarios.js';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

describe('incoming faxes through the real libcapi20', () => {
  receiverScenarios((sim) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-inbound-capi-'));
    homes.push(home);
    // The last line must end in a newline: libcapi20 chops each line's last character.
    fs.writeFileSync(path.join(home, '.capi20rc'), `REMOTE rcapi 127.0.0.1 ${sim.port}\nTRACELEVEL 0\n`);
    process.env.HOME = home;
    return new NativeTransport();
  });
});
