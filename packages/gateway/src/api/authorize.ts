// Every route asks `can()` (store/authz.ts) before it acts, or calls the directory service
// layer (services/directory), which asks it and applies the escalation rule; a refusal is
// itself recorded (access.denied) and answered 403.
import { appendAuditEvent } from '@faxgate/audit';
import { can, type Permission } from '@faxgate/store';
import type { Actor } from '../services/directory/index.js';
import type { ApiServices, Principal } from './context.js';
import { ApiError } from './errors.js';

/** The directory services' actor for an API caller. */
export function actorOf(p: Principal): Actor & { id: number } {
  return { id: p.user.id, name: p.user.name, via: 'api' };
}

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
