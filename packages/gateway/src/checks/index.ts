// Health checks of lines, PostgreSQL, Redis and webhooks, with history and alerts.

export { type HealthCheck, lineChecks, postgresqlCheck, redisCheck, webhookChecks } from './checks.js';
export { type ChecksConfig, checksSchema } from './config.js';
export {
  type GatewayChecksOptions,
  gatewayHealthChecks,
  healthChecksTask,
  runGatewayChecks,
} from './gateway-checks.js';
export { type CheckResult, checkHistory, latestResults, runHealthChecks } from './runner.js';
