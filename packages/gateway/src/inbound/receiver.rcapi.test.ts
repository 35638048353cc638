import { RcapiTransport } from '@faxgate/capi-bindings';
import { describe } from 'vitest';
import { receiverScenarios } from '../test-support/receiver-scenarios.js';

describe('incoming faxes over the rcapi transport', () => {
  receiverScenarios((sim) => new RcapiTransport({ port: sim.port }));
});
