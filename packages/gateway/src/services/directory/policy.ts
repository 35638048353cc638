// The escalation rules as data: which operation needs which capability, whether it acts on
// a target user, and which target roles each role may manage. The directory services
// enforce exactly this; the rights-matrix test runs every cell of it against PostgreSQL and
// `npm run docs:rights` prints it (docs/rights-matrix.md) for auditors.
//
// The rule: an actor may act on a target user (create, change, disable, reset the password
// of, create a token for, change the group memberships or the grants of, give or take a
// role) only when it holds the operation's capability AND every role the target holds —
// and every role being given or taken — is one the actor's roles may manage. Admins manage
// everyone; a post office manages post offices and plain users; nobody else manages
// anyone. So nobody can raise someone above themselves, and admins and auditors are
// managed by admins only (separation of duties). Oneself is a target like any other, except
// for the self-service operations (own password with the old one, own tokens, own display
// name), which every role may do.
//
// Groups carry mailbox rights, never roles: joining a group cannot raise anyone's role, so
// creating a group or granting it a right needs only user.manage. Adding or removing a
// member is still an action on that member (the rule applies), so a post office cannot
// move an admin or an auditor between groups.
import { CAPABILITY_ROLES, type Capability, ROLES, type Role } from '@faxgate/store';

/** Target roles each role may manage (with the operation's capability). */
export const MANAGED_ROLES: Readonly<Record<Role, readonly Role[]>> = {
  admin: ['admin', 'postoffice', 'operator', 'auditor', 'user'],
  postoffice: ['postoffice', 'user'],
  operator: [],
  auditor: [],
  user: [],
};

/** The role every account holds at least in effect; an account without roles counts as this. */
export const BASE_ROLE: Role = 'user';

export interface OperationRule {
  /** Capability the actor needs ('self' = anyone, on their own account only). */
  capability: Capability | 'self';
  /** What the target role column means for this operation. */
  target: 'none' | 'target' | 'given';
  /** One line for the rights matrix. */
  summary: string;
}

/**
 * Every operation of the directory services. `target`: 'target' — the role the target user
 * holds; 'given' — the role being given to (or taken from) the user; 'none' — no target user.
 */
export const OPERATIONS = {
  'user.list': { capability: 'user.manage', target: 'none', summary: 'list users' },
  'user.create': {
    capability: 'user.manage',
    target: 'given',
    summary: 'create a user with this role',
  },
  'user.modify': {
    capability: 'user.manage',
    target: 'target',
    summary: "change another user's display name or e-mail address and opt-in",
  },
  'user.password': {
    capability: 'user.manage',
    target: 'target',
    summary: "reset another user's password (ends all its sessions and tokens)",
  },
  'user.disable': {
    capability: 'user.manage',
    target: 'target',
    summary: 'disable or enable a user (disabling ends its sessions and tokens)',
  },
  'role.assign': { capability: 'user.manage', target: 'given', summary: 'give a user this role' },
  'role.revoke': { capability: 'user.manage', target: 'given', summary: 'take this role from a user' },
  'token.create': {
    capability: 'user.manage',
    target: 'target',
    summary: 'create an API token for another user',
  },
  'token.list': { capability: 'user.manage', target: 'target', summary: "list another user's tokens" },
  'token.revoke': { capability: 'user.manage', target: 'target', summary: "revoke another user's token" },
  'group.list': { capability: 'user.manage', target: 'none', summary: 'list groups and members' },
  'group.create': { capability: 'user.manage', target: 'none', summary: 'create a group' },
  'group.member': {
    capability: 'user.manage',
    target: 'target',
    summary: 'add a user to a group or remove it',
  },
  'grant.list': { capability: 'user.manage', target: 'none', summary: 'list grants' },
  'grant.group': {
    capability: 'user.manage',
    target: 'none',
    summary: 'grant or revoke a mailbox right of a group',
  },
  'grant.user': {
    capability: 'user.manage',
    target: 'target',
    summary: 'grant or revoke a mailbox right of a user',
  },
  'mailbox.create': { capability: 'mailbox.manage', target: 'none', summary: 'create a mailbox' },
  'mailbox.number': {
    capability: 'mailbox.manage',
    target: 'none',
    summary: "add or remove a mailbox's fax number",
  },
  'mailbox.mail': {
    capability: 'mailbox.manage',
    target: 'none',
    summary: "see and change a mailbox's e-mail recipients and mail options",
  },
  'self.password': {
    capability: 'self',
    target: 'none',
    summary: 'change my own password (needs the old one; ends my other sessions and tokens)',
  },
  'self.token': { capability: 'self', target: 'none', summary: 'create, list and revoke my own API tokens' },
  'self.modify': {
    capability: 'self',
    target: 'none',
    summary: 'change my own display name, e-mail address and opt-in',
  },
} as const satisfies Record<string, OperationRule>;

export type Operation = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as Operation[];

/** Roles the actor may manage: the union over its roles. */
export function managedBy(actorRoles: readonly Role[]): Set<Role> {
  return new Set(actorRoles.flatMap((r) => MANAGED_ROLES[r]));
}

/** An account's roles for the rule: its roles, or the base role when it has none. */
export function effectiveRoles(roles: readonly Role[]): readonly Role[] {
  return roles.length > 0 ? roles : [BASE_ROLE];
}

export type PolicyDecision = { ok: true } | { ok: false; reason: string; needed: string };

/**
 * The pure rule. `targetRoles`: roles the target user holds (operations on a target);
 * `givenRoles`: roles being given or taken. Capability operations check only the capability.
 */
export function decideOperation(
  actorRoles: readonly Role[],
  op: Operation,
  opts: { targetRoles?: readonly Role[]; givenRoles?: readonly Role[] } = {},
): PolicyDecision {
  const rule: OperationRule = OPERATIONS[op];
  if (rule.capability === 'self') return { ok: true };
  const cap = rule.capability;
  if (!actorRoles.some((r) => CAPABILITY_ROLES[cap].includes(r))) {
    return { ok: false, reason: `needs ${cap}`, needed: cap };
  }
  const managed = managedBy(actorRoles);
  const concerned = [
    ...(opts.targetRoles === undefined ? [] : effectiveRoles(opts.targetRoles)),
    ...(opts.givenRoles ?? []),
  ];
  const beyond = ROLES.filter((r) => concerned.includes(r) && !managed.has(r));
  if (beyond.length > 0) {
    return {
      ok: false,
      reason: `may not manage the role${beyond.length > 1 ? 's' : ''} ${beyond.join(', ')}`,
      needed: beyond.includes('admin') || beyond.includes('auditor') ? 'role admin' : `role ${beyond[0]}`,
    };
  }
  return { ok: true };
}

/** One cell of the rights matrix. */
export interface MatrixCell {
  actor: Role;
  op: Operation;
  /** The target (or given) role; null for operations without one. */
  target: Role | null;
  allowed: boolean;
}

/** Every role × every operation × every target role (or none), as the policy decides. */
export function rightsMatrix(): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const op of OPERATION_NAMES) {
    const rule: OperationRule = OPERATIONS[op];
    for (const actor of ROLES) {
      if (rule.target === 'none') {
        cells.push({ actor, op, target: null, allowed: decideOperation([actor], op).ok });
        continue;
      }
      for (const target of ROLES) {
        const opts = rule.target === 'given' ? { givenRoles: [target] } : { targetRoles: [target] };
        cells.push({ actor, op, target, allowed: decideOperation([actor], op, opts).ok });
      }
    }
  }
  return cells;
}

/** The rights matrix as Markdown (docs/rights-matrix.md is this text, checked by a test). */
export function rightsMatrixMarkdown(): string {
  const cells = rightsMatrix();
  const lines: string[] = [
    '# Rights matrix',
    '',
    '<!-- Generated by `npm run docs:rights` from packages/gateway/src/services/directory/policy.ts;',
    '     a test fails when this file and the policy differ. Do not edit by hand. -->',
    '',
    'Who may do what to whom in the user, group, mailbox, grant and token administration. Rows:',
    'the acting role and the operation; columns: the role the target user holds (or, for',
    '"given" operations, the role being given or taken). ✓ allowed, — refused (403 and an',
    '`access.denied` audit event). An account with several roles may do what any of its roles',
    'may; a target with several roles needs every one of them to be manageable.',
    '',
    '## Roles each role may manage',
    '',
    '| role | manages accounts holding |',
    '| --- | --- |',
    ...ROLES.map((r) => `| ${r} | ${MANAGED_ROLES[r].length ? MANAGED_ROLES[r].join(', ') : '(nobody)'} |`),
    '',
    '## Capabilities',
    '',
    `| capability | ${ROLES.join(' | ')} |`,
    `| --- | ${ROLES.map(() => ':-:').join(' | ')} |`,
    ...Object.entries(CAPABILITY_ROLES).map(
      ([cap, roles]) => `| ${cap} | ${ROLES.map((r) => (roles.includes(r) ? '✓' : '—')).join(' | ')} |`,
    ),
    '',
    '## Operations on a target user (columns: target role)',
    '',
  ];
  for (const op of OPERATION_NAMES) {
    const rule: OperationRule = OPERATIONS[op];
    if (rule.target === 'none') continue;
    lines.push(
      `### ${op} — ${rule.summary} (${rule.capability}; column: ${rule.target === 'given' ? 'role given or taken' : "target's role"})`,
      '',
      `| actor \\ target | ${ROLES.join(' | ')} |`,
      `| --- | ${ROLES.map(() => ':-:').join(' | ')} |`,
    );
    for (const actor of ROLES) {
      const row = ROLES.map((t) =>
        cells.find((c) => c.op === op && c.actor === actor && c.target === t)?.allowed ? '✓' : '—',
      );
      lines.push(`| ${actor} | ${row.join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push(
    '## Operations without a target user',
    '',
    `| operation | needs | ${ROLES.join(' | ')} |`,
    `| --- | --- | ${ROLES.map(() => ':-:').join(' | ')} |`,
  );
  for (const op of OPERATION_NAMES) {
    const rule: OperationRule = OPERATIONS[op];
    if (rule.target !== 'none') continue;
    const row = ROLES.map((a) => (cells.find((c) => c.op === op && c.actor === a)?.allowed ? '✓' : '—'));
    lines.push(
      `| ${op} (${rule.summary}) | ${rule.capability === 'self' ? 'own account' : rule.capability} | ${row.join(' | ')} |`,
    );
  }
  lines.push(
    '',
    'Groups carry mailbox rights, never roles, so group and group-grant operations need only',
    'the capability; adding or removing a member is an operation on that member. Operations',
    'without a daemon (the first admin, database setup) run as `system:<OS user>` with the',
    "database owner's credentials and are audited under that name.",
    '',
  );
  return lines.join('\n');
}
