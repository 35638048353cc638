// Test helpers other packages use (e2e, the demo): `@faxgate/gateway/testing`.

export * from './hylafax-clients.js';
export * from './run-cli.js';
export * from './spawn-job.js';
