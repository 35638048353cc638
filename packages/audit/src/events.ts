// The audit event taxonomy: HylaFAX's faxwatch event catalogue (job, send, recv, line)
// in lower case, plus faxgate's own security events (auth, admin, config, reads of logs
// and content, policy, lockdown, retention).

export const AUDIT_EVENT_TYPES = [
  // Jobs (outgoing fax lifecycle)
  'job.create',
  'job.suspend',
  'job.ready',
  'job.sleep',
  'job.dead',
  'job.process',
  'job.reap',
  'job.active',
  'job.reject',
  'job.kill',
  'job.blocked',
  'job.delayed',
  'job.timedout',
  'job.prep_begin',
  'job.prep_end',
  'job.modify',
  'job.resume',
  'job.retry',
  'job.delete',
  // faxgate: the post office's decision on a fax whose outcome is unknown (sent, failed, resubmit)
  'job.settle',
  // Sending
  'send.begin',
  'send.call',
  'send.connected',
  'send.page',
  'send.doc',
  'send.pollrcvd',
  'send.polldone',
  'send.end',
  'send.reformat',
  'send.requeue',
  'send.done',
  'send.internal',
  // Receiving
  'recv.begin',
  'recv.start',
  'recv.page',
  'recv.doc',
  'recv.end',
  'recv.reject',
  // Lines (HylaFAX: modem) — controllers and B-channels here
  'line.assign',
  'line.release',
  'line.down',
  // a line (transport or controller) is back after line.down: registered, LISTENing, evidence re-read
  'line.up',
  'line.ready',
  'line.busy',
  'line.wedged',
  'line.inuse',
  'line.data_begin',
  'line.data_end',
  'line.voice_begin',
  'line.voice_end',
  'line.cid',
  'line.check',
  // an operator (line.manage) took a controller out of service, or put it back (line_service)
  'line.out_of_service',
  'line.in_service',
  // Faxes in mailboxes
  'fax.route',
  'fax.deliver',
  'fax.read',
  'fax.forward',
  'fax.delete',
  'fax.notify',
  'fax.deadletter',
  // e-mail to fax (gateway/src/mail-intake): a message faxed, or refused with its reason (never both)
  'mail.intake.accepted',
  'mail.intake.refused',
  // Authentication
  'auth.login',
  'auth.logout',
  'auth.failed',
  'auth.token_create',
  'auth.token_revoke',
  'access.denied',
  // Administration
  'admin.user_add',
  'admin.user_disable',
  'admin.user_enable',
  'admin.user_modify',
  'admin.password_set',
  'admin.role_assign',
  'admin.role_revoke',
  'admin.group_add',
  'admin.group_remove',
  'admin.member_add',
  'admin.member_remove',
  'admin.mailbox_add',
  'admin.mailbox_modify',
  'admin.number_add',
  'admin.number_remove',
  'admin.grant',
  'admin.revoke',
  // Configuration
  'config.change',
  'config.apply',
  'config.export',
  // history, show and diff of configuration versions (config.read); selftest report; release (pilot → production)
  'config.read',
  'config.selftest',
  'config.release',
  // Privileged reads
  'log.read',
  'log.export',
  'audit.read',
  'audit.export',
  'audit.verify',
  // a period of the trail and the send/receive log marked as reviewed (audit_reviews)
  'audit.review',
  'audit.checkpoint',
  'spool.access',
  'metadata.read',
  // Policy, lockdown, operations
  'policy.reject',
  'lockdown.report',
  'lockdown.violation',
  'lockdown.call_rejected',
  'lockdown.evidence',
  'lockdown.profile_changed',
  // retention (gateway/src/retention): a fax's payload deleted (archived first when configured),
  // one summary per run, a legal hold set or cleared on a fax or mailbox
  'retention.purge',
  'retention.run',
  'retention.hold',
  'retention.release',
  // alerts (gateway/src/alerts): raised once per key until cleared; detail { key, severity, source, summary }
  'alert.raised',
  'alert.cleared',
  // mail outbox (gateway/src/mail): a mail queued for the relay, accepted by it, or given up on record
  'mail.queued',
  'mail.sent',
  'mail.failed',
  // disk guard (gateway/src/disk): a node's level changed (ok, warning, critical = refusing work)
  'disk.state',
  'system.start',
  'system.stop',
  'system.migrate',
  // the daemon refused to start (e.g. as a superuser or table owner without database.allowPrivileged)
  'system.refused',
  // db setup: the owner and application roles created or corrected
  'system.setup',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

const TYPES = new Set<string>(AUDIT_EVENT_TYPES);

export function isAuditEventType(x: unknown): x is AuditEventType {
  return typeof x === 'string' && TYPES.has(x);
}
