// Which console views and actions a user gets — decided here, on the server, from the one
// authorisation layer (store `can()` for capabilities and mailbox rights, the directory
// policy's OPERATIONS for administration actions). The console only draws what this returns;
// every view's data endpoint asks `requireView` again, so a hidden view is not reachable by
// URL either.
import { CAPABILITIES, type Capability, can, type Db, effectiveRights, mailboxes } from '@faxgate/store';
import { OPERATION_NAMES, OPERATIONS } from '../../services/directory/index.js';
import { deny } from '../authorize.js';
import type { ApiServices, Principal } from '../context.js';

export const CONSOLE_VIEWS = ['faxes', 'operations', 'auditor', 'administration'] as const;
export type ConsoleView = (typeof CONSOLE_VIEWS)[number];

export function isConsoleView(x: string): x is ConsoleView {
  return (CONSOLE_VIEWS as readonly string[]).includes(x);
}

/** What a view needs: any one of these capabilities (faxes: also any right on a mailbox). */
export const VIEW_CAPABILITIES: Readonly<Record<ConsoleView, readonly Capability[]>> = {
  faxes: ['metadata.read', 'queue.read'],
  operations: ['queue.read'],
  auditor: ['audit.read'],
  administration: ['user.manage', 'mailbox.manage', 'config.manage'],
};

/** What the rights come down to, loaded once per request. */
export interface RightsSummary {
  capabilities: readonly Capability[];
  /** Mailbox rights held anywhere (in.read, out.send …). */
  mailboxRights: readonly string[];
}

/** The pure rule: the views a user with these rights sees, in navigation order. */
export function viewsFor(r: RightsSummary): ConsoleView[] {
  return CONSOLE_VIEWS.filter(
    (v) =>
      VIEW_CAPABILITIES[v].some((c) => r.capabilities.includes(c)) ||
      (v === 'faxes' && r.mailboxRights.length > 0),
  );
}

/**
 * The actions the console may offer: the capabilities held, `fax.send` when some outgoing
 * mailbox allows sending, and the directory operations the policy lets the user start
 * (the target-role rule is applied again when one is done).
 */
export function actionsFor(r: RightsSummary): string[] {
  const actions: string[] = [...r.capabilities];
  if (r.mailboxRights.includes('out.send')) actions.push('fax.send');
  for (const op of OPERATION_NAMES) {
    const need = OPERATIONS[op].capability;
    if (need !== 'self' && r.capabilities.includes(need)) actions.push(op);
  }
  return actions;
}

export async function loadRights(db: Db, userId: number): Promise<RightsSummary> {
  const me = { id: userId };
  const capabilities: Capability[] = [];
  for (const c of CAPABILITIES) if (await can(db, me, c)) capabilities.push(c);
  const held = new Set<string>();
  for (const m of await mailboxes.list(db)) for (const r of await effectiveRights(db, me, m.id)) held.add(r);
  return { capabilities, mailboxRights: [...held].sort() };
}

/** Refuses (403, `access.denied` audited) when `p` may not open `view`. */
export async function requireView(services: ApiServices, p: Principal, view: ConsoleView): Promise<void> {
  if (viewsFor(await loadRights(services.db, p.user.id)).includes(view)) return;
  await deny(services, p, `open the console view ${view}`, { view });
}
