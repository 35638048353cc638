// Which audit events become which webhook events. Notifications are derived from the
// committed audit trail, so this table is the whole contract between the two.
import type { AuditEventType } from '@faxgate/audit';
import type { FaxState } from '@faxgate/store';

export const WEBHOOK_EVENTS = [
  'fax.sent',
  'fax.failed',
  'fax.received',
  'fax.outcome-unknown',
  'fax.requeued',
  'alert.raised',
  'alert.cleared',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export type FaxWebhookEvent = Exclude<WebhookEvent, AlertWebhookEvent>;
export type AlertWebhookEvent = 'alert.raised' | 'alert.cleared';

export function isAlertEvent(e: WebhookEvent): e is AlertWebhookEvent {
  return e === 'alert.raised' || e === 'alert.cleared';
}

/** The audit types each webhook event is derived from. */
const SOURCES: Record<WebhookEvent, readonly AuditEventType[]> = {
  // done after a call, or delivered to one of our own mailboxes without one; an unknown
  // outcome settled as sent by the fax post office
  'fax.sent': ['job.settle', 'send.done', 'send.internal'],
  // final failure, stopped, kill time / retry caps; a reception that failed; settled as failed
  'fax.failed': ['job.dead', 'job.kill', 'job.settle', 'job.timedout', 'recv.end'],
  // received on a line, or delivered internally into a mailbox
  'fax.received': ['recv.end', 'fax.deliver'],
  // a call cut off by a crash, held for the fax post office
  'fax.outcome-unknown': ['job.suspend'],
  // a retry is scheduled (HylaFAX notify "requeued")
  'fax.requeued': ['job.sleep'],
  // alerts (alerts/): raised or escalated, and cleared
  'alert.raised': ['alert.raised'],
  'alert.cleared': ['alert.cleared'],
};

/** The state a fax is in when the event is recorded. */
export const STATE_OF: Record<FaxWebhookEvent, FaxState> = {
  'fax.sent': 'done',
  'fax.failed': 'failed',
  'fax.received': 'received',
  'fax.outcome-unknown': 'suspended',
  'fax.requeued': 'sleeping',
};

/** The audit types to read for a webhook that wants `events`. */
export function auditTypesFor(events: readonly WebhookEvent[]): AuditEventType[] {
  return [...new Set(events.flatMap((e) => SOURCES[e]))].sort();
}

/** The webhook event an audit event stands for, if any. */
export function webhookEventOf(type: string, details: Record<string, unknown>): WebhookEvent | undefined {
  switch (type) {
    case 'send.done':
    case 'send.internal':
      return 'fax.sent';
    case 'job.dead':
    case 'job.kill':
    case 'job.timedout':
      return 'fax.failed';
    case 'recv.end':
      return details.ok === true ? 'fax.received' : 'fax.failed';
    case 'fax.deliver':
      return 'fax.received';
    case 'job.settle':
      return details.decision === 'sent'
        ? 'fax.sent'
        : details.decision === 'failed'
          ? 'fax.failed'
          : undefined;
    case 'job.suspend':
      return details.cause === 'outcome-unknown' ? 'fax.outcome-unknown' : undefined;
    case 'job.sleep':
      return 'fax.requeued';
    case 'alert.raised':
    case 'alert.cleared':
      return type;
    default:
      return undefined;
  }
}
