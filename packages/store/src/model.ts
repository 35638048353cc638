// The vocabulary of the system of record: roles, mailbox kinds, rights, capabilities, fax states.

export const ROLES = ['admin', 'postoffice', 'operator', 'auditor', 'user'] as const;
export type Role = (typeof ROLES)[number];

export const MAILBOX_KINDS = ['incoming', 'outgoing'] as const;
export type MailboxKind = (typeof MAILBOX_KINDS)[number];

/** Rights on incoming mailboxes (M 2.179: read, forward, delete). */
export const INCOMING_RIGHTS = ['in.read', 'in.forward', 'in.delete'] as const;
/** Rights on outgoing mailboxes (M 2.179: send, stop/suspend, delete, change send options). */
export const OUTGOING_RIGHTS = ['out.send', 'out.stop', 'out.delete', 'out.modify'] as const;
export const MAILBOX_RIGHTS = [...INCOMING_RIGHTS, ...OUTGOING_RIGHTS] as const;
export type IncomingRight = (typeof INCOMING_RIGHTS)[number];
export type OutgoingRight = (typeof OUTGOING_RIGHTS)[number];
export type MailboxRight = (typeof MAILBOX_RIGHTS)[number];

/** The mailbox kind a right belongs to. */
export function rightKind(right: MailboxRight): MailboxKind {
  return right.startsWith('in.') ? 'incoming' : 'outgoing';
}

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}
export function isMailboxKind(x: unknown): x is MailboxKind {
  return typeof x === 'string' && (MAILBOX_KINDS as readonly string[]).includes(x);
}
export function isMailboxRight(x: unknown): x is MailboxRight {
  return typeof x === 'string' && (MAILBOX_RIGHTS as readonly string[]).includes(x);
}

/**
 * Capabilities that are not tied to one mailbox. Which role holds which is
 * `CAPABILITY_ROLES` below; nothing else grants them.
 */
export const CAPABILITIES = [
  'user.manage', // users, groups, memberships, passwords, grants (M 2.180)
  'mailbox.manage', // create mailboxes, assign fax numbers
  'config.manage', // change and apply the gateway configuration
  'config.read', // read the configuration and its change history
  'log.read', // read/export the send/receive log (M 5.25)
  'audit.read', // read/export/verify the audit trail
  'metadata.read', // fax metadata of every mailbox (numbers, times, pages) — never content
  'queue.read', // see the send queue and its jobs (metadata)
  'queue.manage', // retry, suspend, resume, reschedule queued jobs — never content, never delete
  'line.read', // line and B-channel status
  'line.manage', // line checks, take a line up/down
  'spool.access', // spool and temporary areas (M 5.73: privileged only)
  'retention.manage', // run retention, set and clear legal holds (never read content)
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(x: unknown): x is Capability {
  return typeof x === 'string' && (CAPABILITIES as readonly string[]).includes(x);
}

export const CAPABILITY_ROLES: Readonly<Record<Capability, readonly Role[]>> = {
  'user.manage': ['admin', 'postoffice'],
  'mailbox.manage': ['admin', 'postoffice'],
  'config.manage': ['admin'],
  'config.read': ['admin', 'auditor'],
  'log.read': ['admin', 'postoffice', 'auditor'],
  'audit.read': ['admin', 'auditor'],
  'metadata.read': ['admin', 'postoffice', 'auditor'],
  'queue.read': ['admin', 'postoffice', 'operator', 'auditor'],
  'queue.manage': ['admin', 'postoffice', 'operator'],
  'line.read': ['admin', 'postoffice', 'operator', 'auditor'],
  'line.manage': ['admin', 'postoffice', 'operator'],
  'spool.access': ['admin', 'postoffice'],
  'retention.manage': ['admin', 'postoffice'],
};

/** Any mailbox right or capability: what `can()` and `decide()` accept. */
export type Permission = MailboxRight | Capability;

export const FAX_DIRECTIONS = ['in', 'out'] as const;
export type FaxDirection = (typeof FAX_DIRECTIONS)[number];

/**
 * Fax states. Outgoing ones follow HylaFAX's job states (faxstat `%a`): suspended (T),
 * pending (P, waiting for its time to send), sleeping (S, retry delay), blocked (B),
 * waiting (W, for a line), running (R), done (D), failed (F); plus `rendering` before the
 * document became fax pages, `rejected` (refused by policy, never dialled) and `deleted`.
 * Incoming: receiving → received, or failed; `delivered` once routed/forwarded; `deleted`.
 */
export const FAX_STATES = [
  'rendering',
  'suspended',
  'pending',
  'sleeping',
  'blocked',
  'waiting',
  'running',
  'done',
  'failed',
  'rejected',
  'receiving',
  'received',
  'delivered',
  'deleted',
] as const;
export type FaxState = (typeof FAX_STATES)[number];

export function isFaxState(x: unknown): x is FaxState {
  return typeof x === 'string' && (FAX_STATES as readonly string[]).includes(x);
}
