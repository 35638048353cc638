// Every route asks `can()` (store/authz.ts) before it acts; a refusal is itself recorded
// (access.denied) and answered 403 — the same rule the CLI follows with --as.
import { appendAuditEvent } from '@faxgate/audit';
import { can, type Permission } from '@faxgate/store';
import type { ApiServices, Principal } from './context.js';
import { ApiError } from './errors.js';

export async function deny(
  services: ApiServices,
  p: Principal,
  what: string,
  details: Record<string, unknown>,
): Promise<never> {
  await services.db.transaction((trx) =>
    appendAuditEvent(trx, {
      type: 'access.denied',
      actor: p.user.name,
      subject: what,
      details: { ...details, via: 'api' },
    }),
  );
  throw new ApiError(403, 'forbidden', `${p.user.name} may not ${what}`, details);
}

export async function requireCan(
  services: ApiServices,
  p: Principal,
  permission: Permission,
  what: string,
  mailboxId?: number,
): Promise<void> {
  if (await can(services.db, { id: p.user.id }, permission, mailboxId)) return;
  await deny(services, p, what, { permission, ...(mailboxId === undefined ? {} : { mailboxId }) });
}
