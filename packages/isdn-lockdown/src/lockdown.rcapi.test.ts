import { RcapiTransport } from '@faxgate/capi-bindings';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { afterAll, beforeAll, describe } from 'vitest';
import { lockdownScenarios } from './test-support/scenarios.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
});
afterAll(async () => {
  await sim?.close();
});

describe('lockdown against capi-sim over the rcapi transport', () => {
  lockdownScenarios({ sim: () => sim, transport: () => new RcapiTransport({ port: sim.port }) });
});
