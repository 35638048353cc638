// Webhook notifications derived from the audit trail.
export { auditTypesFor, WEBHOOK_EVENTS, type WebhookEvent, webhookEventOf } from './events.js';
export { backoffMs, type Notifier, type NotifierOptions, startNotifier } from './notifier.js';
export type { WebhookPayload } from './payload.js';
export { signBody } from './webhook.js';
