// The demo's database roles: on this machine's trusted local PostgreSQL the demo does what
// `faxgate db setup` does — an owner role for migrations and an application role for the
// gateway (owns nothing, audit tables append-only) — so the demo runs the secure setup.
// Given a URL that is not a superuser's, it keeps that role and allows it (and says so).
import fs from 'node:fs';
import path from 'node:path';
import { migrateAndGrant, setupRoles } from '@faxgate/audit';
import { describePrivilege, generatePassword, openDatabase, privilegeProblems } from '@faxgate/store';

export const DEMO_OWNER_ROLE = 'faxgate_demo_owner';
export const DEMO_APP_ROLE = 'faxgate_demo_app';

export type DemoDatabase =
  | {
      kind: 'roles';
      /** The gateway's database.url: the application role. */
      appUrl: string;
      /** The file (0600, in the demo's private directory) holding the owner URL: database.ownerUrlFile. */
      ownerUrlFile: string;
      applied: string[];
      /** One line saying what was done. */
      note: string;
    }
  | {
      kind: 'given';
      /** What makes the given role privileged (the demo then sets database.allowPrivileged), or null. */
      privileged: string[] | null;
      note: string;
    };

function urlAs(base: string, role: string, password: string): string {
  const u = new URL(base);
  u.username = role;
  u.password = password;
  return u.toString();
}

/** PostgreSQL error codes of two demos creating the same role at once. */
const RACE = new Set(['23505', '42710', '40001', '40P01', 'XX000']);

/**
 * Sets up the demo's roles with the superuser connection `url` (the demo's database), migrates
 * as the owner and writes the owner URL to `dir`/owner.url (0600). A non-superuser `url` is
 * used as it is.
 */
export async function prepareDemoDatabase(url: string, dir: string): Promise<DemoDatabase> {
  const admin = openDatabase(url, { poolMax: 1, applicationName: 'faxgate-demo-setup' });
  try {
    const me = await describePrivilege(admin);
    if (!me.superuser) {
      const problems = privilegeProblems(me);
      return {
        kind: 'given',
        privileged: problems.length ? problems : null,
        note: problems.length
          ? `${me.user} is not a superuser, so the demo cannot set up its roles; it runs as ${me.user} with database.allowPrivileged (${problems.join('; ')})`
          : `${me.user} is not a superuser: the demo runs as it (it owns nothing)`,
      };
    }
    const database = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
    const ownerPassword = generatePassword();
    const appPassword = generatePassword();
    const opts = {
      database,
      ownerRole: DEMO_OWNER_ROLE,
      appRole: DEMO_APP_ROLE,
      ownerPassword,
      appPassword,
      // The cluster's own database stays open to its other users.
      revokePublicConnect: database !== 'postgres',
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await setupRoles(admin, opts);
        break;
      } catch (e) {
        if (attempt >= 3 || !RACE.has((e as { code?: string }).code ?? '')) throw e;
      }
    }
    const ownerUrl = urlAs(url, DEMO_OWNER_ROLE, ownerPassword);
    const owner = openDatabase(ownerUrl, { poolMax: 1, applicationName: 'faxgate-demo-migrate' });
    let applied: string[];
    try {
      applied = (await migrateAndGrant(owner, DEMO_APP_ROLE)).applied;
    } finally {
      await owner.destroy();
    }
    const ownerUrlFile = path.join(dir, 'owner.url');
    fs.writeFileSync(ownerUrlFile, `${ownerUrl}\n`, { mode: 0o600 });
    return {
      kind: 'roles',
      appUrl: urlAs(url, DEMO_APP_ROLE, appPassword),
      ownerUrlFile,
      applied,
      note:
        `this machine's PostgreSQL is trusted: the demo set up the database roles ${DEMO_OWNER_ROLE} (migrations) and ` +
        `${DEMO_APP_ROLE} (the gateway: owns nothing, audit trail append-only) on ${database}, as \`faxgate db setup\` does`,
    };
  } finally {
    await admin.destroy();
  }
}
