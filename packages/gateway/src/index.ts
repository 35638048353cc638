// @faxgate/gateway — the daemon: configuration, API, main job, CLI.

export { checkHealth, type HealthReport, type Probe } from './api/health.js';
export { buildApi, listenApi } from './api/server.js';
export { type ConfigChange, diffConfig } from './config/diff.js';
export { ConfigError } from './config/errors.js';
export {
  ENV_OVERRIDES,
  type LoadedConfig,
  type LoadOptions,
  loadConfig,
  validateConfig,
} from './config/load.js';
export { type RecordedConfig, recordConfigVersion } from './config/record.js';
export { configDocument, redactConfig, redactUrl } from './config/redact.js';
export { configSchema, type FaxgateConfig, type FaxgateConfigInput } from './config/schema.js';
export { gatewayAuthor, type RunningGateway, type StartOptions, startGateway } from './gateway.js';
export { type Receiver, type ReceiverOptions, startReceiver } from './inbound/index.js';
// The outgoing pipeline's submission and queue, for other packages and the whole-system tests (e2e/).
export {
  type OutgoingPipeline,
  openSendQueue,
  QUEUED_STATES,
  type QueueSettings,
  queueSettings,
  type SendQueue,
  type SubmitContext,
  type SubmitFaxInput,
  type SubmitResult,
  submitFax,
} from './pipeline/index.js';
export { type GatewayStatus, gatewayStatus, NOT_BUILT_YET } from './status.js';
// How a process running the gateway stops (the daemon here, the demo in @faxgate/demo).
export { exitIfStopHangs, onStopSignals, STOP_MARGIN_MS, type StopSignals } from './stop-signals.js';
export { GATEWAY_VERSION } from './version.js';
