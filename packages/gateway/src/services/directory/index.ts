// The directory service layer: user, group, mailbox, grant and token operations with their
// rights check, escalation rule (policy.ts) and audit event, in one transaction each. The
// API routes, the coming web console and the offline system session call these — nothing
// else changes users, groups, mailboxes, grants or tokens.
export { type Actor, actorLabel, OLD_PASSWORD_WRONG } from './actor.js';
export { DirectoryForbiddenError } from './errors.js';
export * from './grants.js';
export * from './groups.js';
export * from './mailbox-mail.js';
export * from './mailboxes.js';
export * from './policy.js';
export * from './tokens.js';
export * from './users.js';
