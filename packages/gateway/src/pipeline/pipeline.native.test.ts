// The outgoing pipeline end to end through the real libcapi20 (native transport) against
// capi-sim. Its own vitest worker process: libcapi20 reads $HOME/.capi20rc at its first call,
// so the file names the simulator before the worker opens the transport.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeTransport } from '@faxgate/capi-bindings/native';
import { afterAll } from 'vitest';
import { pipelineScenarios } from '../test-support/pipeline-scenarios.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-pipeline-capi-'));
process.env.HOME = home;
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

pipelineScenarios('libcapi20 (native)', (sim) => {
  // The last line must end in a newline: libcapi20 chops each line's last character.
  fs.writeFileSync(path.join(home, '.capi20rc'), `REMOTE rcapi 127.0.0.1 ${sim.port}\nTRACELEVEL 0\n`);
  return new NativeTransport();
});
