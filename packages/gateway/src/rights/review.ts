// The rights review (issue 17 item 7, M 2.179/2.180): who holds which right on which mailbox,
// and through what — a grant to the user, a grant to one of its groups, or a role that
// reaches every mailbox (admin, postoffice) — plus the capabilities each role brings. Rows
// the authorisation rule ignores (a disabled user, a grant to an auditor) are listed and
// marked not effective, so the reviewer sees the grant that is on record and why it is void.
import {
  ALL_MAILBOX_ROLES,
  CAPABILITIES,
  CAPABILITY_ROLES,
  type Db,
  MAILBOX_RIGHTS,
  type MailboxKind,
  type Role,
  rightKind,
} from '@faxgate/store';

export interface RightRow {
  /** Mailbox name, or '*' for a capability (not tied to a mailbox). */
  mailbox: string;
  mailboxKind: MailboxKind | null;
  /** A mailbox right (in.read …) or a capability (queue.manage …). */
  right: string;
  user: string;
  via: 'user' | 'group' | 'role';
  /** The group (via group) or role (via role) it comes through. */
  group: string | null;
  role: Role | null;
  effective: boolean;
  /** Why not effective: 'user disabled', 'auditors hold no mailbox rights'. */
  note: string | null;
}

interface UserFacts {
  name: string;
  disabled: boolean;
  roles: Role[];
}

function voidReason(u: UserFacts, mailboxRight: boolean): string | null {
  if (u.disabled) return 'user disabled';
  if (mailboxRight && u.roles.includes('auditor') && !u.roles.some((r) => ALL_MAILBOX_ROLES.includes(r)))
    return 'auditors hold no mailbox rights';
  return null;
}

/** Every right held, sorted by mailbox ('*' last), right, user. */
export async function rightsReview(db: Db): Promise<RightRow[]> {
  const users: Array<{ id: string; name: string; disabled: boolean; roles: Role[] }> = (
    await db.raw(
      `SELECT u.id, u.name, u.disabled,
              ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id ORDER BY r.role) AS roles
         FROM users u`,
    )
  ).rows;
  const byId = new Map(users.map((u) => [Number(u.id), u]));
  const boxes: Array<{ id: string; name: string; kind: MailboxKind }> = await db('mailboxes').select(
    'id',
    'name',
    'kind',
  );
  const grants: Array<{
    user_id: string;
    group: string | null;
    mailbox: string;
    kind: MailboxKind;
    right: string;
  }> = (
    await db.raw(
      `SELECT g.user_id, NULL AS "group", m.name AS mailbox, m.kind, g."right"
           FROM grants g JOIN mailboxes m ON m.id = g.mailbox_id WHERE g.user_id IS NOT NULL
         UNION ALL
         SELECT gm.user_id, gr.name, m.name, m.kind, g."right"
           FROM grants g JOIN mailboxes m ON m.id = g.mailbox_id
           JOIN groups gr ON gr.id = g.group_id
           JOIN group_members gm ON gm.group_id = g.group_id`,
    )
  ).rows;

  const rows: RightRow[] = [];
  for (const g of grants) {
    const u = byId.get(Number(g.user_id));
    if (!u) continue;
    const note = voidReason(u, true);
    rows.push({
      mailbox: g.mailbox,
      mailboxKind: g.kind,
      right: g.right,
      user: u.name,
      via: g.group === null ? 'user' : 'group',
      group: g.group,
      role: null,
      effective: note === null,
      note,
    });
  }
  for (const u of users) {
    for (const role of u.roles) {
      if (ALL_MAILBOX_ROLES.includes(role)) {
        for (const m of boxes)
          for (const right of MAILBOX_RIGHTS.filter((r) => rightKind(r) === m.kind)) {
            const note = voidReason(u, true);
            rows.push({
              mailbox: m.name,
              mailboxKind: m.kind,
              right,
              user: u.name,
              via: 'role',
              group: null,
              role,
              effective: note === null,
              note,
            });
          }
      }
      for (const cap of CAPABILITIES.filter((c) => CAPABILITY_ROLES[c].includes(role))) {
        const note = voidReason(u, false);
        rows.push({
          mailbox: '*',
          mailboxKind: null,
          right: cap,
          user: u.name,
          via: 'role',
          group: null,
          role,
          effective: note === null,
          note,
        });
      }
    }
  }
  const key = (r: RightRow) => [
    r.mailbox === '*' ? '\uffff' : r.mailbox,
    r.right,
    r.user,
    r.via,
    r.group ?? r.role ?? '',
  ];
  return rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
}

export const RIGHTS_CSV_HEADER = 'mailbox,kind,right,user,via,group,role,effective,note';

function csvField(v: string): string {
  // A leading =,+,-,@ would be a formula in a spreadsheet: quoted with a leading apostrophe.
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) || safe !== v ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function rightsCsv(rows: readonly RightRow[]): string {
  const lines = rows.map((r) =>
    [
      r.mailbox,
      r.mailboxKind ?? '',
      r.right,
      r.user,
      r.via,
      r.group ?? '',
      r.role ?? '',
      r.effective ? 'yes' : 'no',
      r.note ?? '',
    ]
      .map(csvField)
      .join(','),
  );
  return `${[RIGHTS_CSV_HEADER, ...lines].join('\n')}\n`;
}
