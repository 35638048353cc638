// Webhook notifications derived from the audit trail.
export {
  type AlertWebhookEvent,
  auditTypesFor,
  type FaxWebhookEvent,
  isAlertEvent,
  WEBHOOK_EVENTS,
  type WebhookEvent,
  webhookEventOf,
} from './events.js';
export { backoffMs, type Notifier, type NotifierOptions, startNotifier } from './notifier.js';
export type { AlertWebhookPayload, WebhookPayload } from './payload.js';
export { signBody } from './webhook.js';
