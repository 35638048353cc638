// `faxgate db setup`: run once with an administrative (superuser) connection, it creates the
// owner role (migrations, DDL) and the application role (the daemon: owns nothing, least
// rights), hands the database's schema objects to the owner and shuts PUBLIC out.
// Idempotent: a second run changes nothing but what drifted (and passwords, when given).
import type { Knex } from 'knex';
import { InvalidInputError, SetupPrivilegeError } from '../errors.js';
import { checkRoleName, grantStoreAppRole, type RestrictedTables } from '../roles.js';
import { generatePassword, scramSha256Verifier } from './scram.js';

export interface SetupRolesOptions {
  /** The database to set up (the admin connection may be to another database of the cluster, but its objects are changed only when connected to this one). */
  database: string;
  ownerRole: string;
  appRole: string;
  /** Set (or reset) the password; when absent a new role gets a random 32-byte one, an existing role keeps its own. */
  ownerPassword?: string;
  appPassword?: string;
  /** Tables with fewer rights for the application role (the audit package's append-only tables). */
  restrictedTables?: RestrictedTables;
  /** REVOKE CONNECT ON DATABASE … FROM PUBLIC (default true; the demo on the shared `postgres` database says false). */
  revokePublicConnect?: boolean;
}

export interface SetupRolesResult {
  database: string;
  ownerRole: string;
  appRole: string;
  /** The password set by this run, or null when the role kept its own. */
  ownerPassword: string | null;
  appPassword: string | null;
  /** Roles created by this run (the others existed). */
  created: string[];
  /** Tables, sequences, views and functions whose owner changed to the owner role. */
  reassigned: string[];
}

const ROLE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT';

async function roleRow(knex: Knex, role: string): Promise<{ rolsuper: boolean } | undefined> {
  const { rows } = await knex.raw<{ rows: Array<{ rolsuper: boolean }> }>(
    'SELECT rolsuper FROM pg_roles WHERE rolname = ?',
    [role],
  );
  return rows[0];
}

/**
 * Creates or corrects `ownerRole` and `appRole` and the database's ownership and grants.
 * `admin` must be a superuser connected to `database`. Throws InvalidInputError for bad names
 * or a role that exists as a superuser, SetupPrivilegeError for a non-superuser `admin`.
 */
export async function setupDatabaseRoles(admin: Knex, opts: SetupRolesOptions): Promise<SetupRolesResult> {
  const owner = checkRoleName(opts.ownerRole);
  const app = checkRoleName(opts.appRole);
  if (owner === app) throw new InvalidInputError('the owner role and the application role must differ');
  const { rows: who } = await admin.raw<{ rows: Array<{ db: string; user: string; su: boolean }> }>(
    'SELECT current_database() AS db, current_user AS "user", rolsuper AS su FROM pg_roles WHERE rolname = current_user',
  );
  if (!who[0]?.su) {
    throw new SetupPrivilegeError(
      `db setup needs a superuser connection; ${who[0]?.user ?? 'this role'} is not one (give the administrative URL, e.g. postgres://postgres@host/${opts.database})`,
    );
  }
  if (who[0].db !== opts.database) {
    throw new InvalidInputError(
      `the administrative connection is to database ${who[0].db}, not ${opts.database}`,
    );
  }
  if (who[0].user === owner || who[0].user === app) {
    throw new InvalidInputError(`${who[0].user} is the administrative role; choose other role names`);
  }
  const database = opts.database.replaceAll('"', '""');

  return admin.transaction(async (trx) => {
    // One setup per database at a time (a second one waits, then finds the roles).
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', ['faxgate.setup-roles']);
    const created: string[] = [];
    const passwords: Record<string, string | null> = {};
    for (const [role, given] of [
      [owner, opts.ownerPassword],
      [app, opts.appPassword],
    ] as const) {
      const row = await roleRow(trx, role);
      if (row?.rolsuper) {
        throw new InvalidInputError(`database role ${role} exists and is a superuser; choose another name`);
      }
      const password = given ?? (row ? null : generatePassword());
      passwords[role] = password;
      // Hashed here: the password itself never reaches the server or its log.
      await trx.raw("SET LOCAL password_encryption = 'scram-sha-256'");
      const pw = password === null ? '' : ` PASSWORD '${scramSha256Verifier(password)}'`;
      await trx.raw(`${row ? 'ALTER' : 'CREATE'} ROLE "${role}" ${ROLE_ATTRIBUTES}${pw}`);
      if (!row) created.push(role);
    }
    // Neither role may act as the other (or as anyone else).
    const { rows: memberships } = await trx.raw<{ rows: Array<{ role: string; member: string }> }>(
      `SELECT r.rolname AS role, m.rolname AS member FROM pg_auth_members a
         JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
        WHERE m.rolname IN (?, ?)`,
      [owner, app],
    );
    for (const m of memberships) await trx.raw(`REVOKE "${m.role}" FROM "${m.member}"`);

    // The owner owns the database, schema public and everything in it.
    await trx.raw(`ALTER DATABASE "${database}" OWNER TO "${owner}"`);
    await trx.raw(`ALTER SCHEMA public OWNER TO "${owner}"`);
    const reassigned: string[] = [];
    const { rows: rels } = await trx.raw<{ rows: Array<{ name: string; kind: string }> }>(
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = ?)
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        ORDER BY c.relkind DESC, 1`,
      [owner],
    );
    for (const rel of rels) {
      const kind = {
        r: 'TABLE',
        p: 'TABLE',
        v: 'VIEW',
        m: 'MATERIALIZED VIEW',
        S: 'SEQUENCE',
        f: 'FOREIGN TABLE',
      }[rel.kind];
      await trx.raw(`ALTER ${kind} public."${rel.name.replaceAll('"', '""')}" OWNER TO "${owner}"`);
      reassigned.push(rel.name);
    }
    const { rows: fns } = await trx.raw<{ rows: Array<{ sig: string }> }>(
      `SELECT p.oid::regprocedure::text AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p') AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = ?)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
        ORDER BY 1`,
      [owner],
    );
    for (const f of fns) {
      await trx.raw(`ALTER ROUTINE ${f.sig} OWNER TO "${owner}"`);
      reassigned.push(f.sig);
    }

    // PUBLIC: no objects in schema public, no connection, no temporary tables, no functions.
    await trx.raw('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await trx.raw('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC');
    await trx.raw('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC');
    await trx.raw('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC');
    await trx.raw(`ALTER DEFAULT PRIVILEGES FOR ROLE "${owner}" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`);
    if (opts.revokePublicConnect ?? true) {
      await trx.raw(`REVOKE CONNECT, TEMPORARY ON DATABASE "${database}" FROM PUBLIC`);
    }
    await trx.raw(`GRANT CONNECT ON DATABASE "${database}" TO "${owner}", "${app}"`);
    await trx.raw(`REVOKE CREATE, TEMPORARY ON DATABASE "${database}" FROM "${app}"`);

    // The application role: least rights on what exists now; objects of later migrations are
    // granted again after each migration (grantAppRole), sequences and functions by default.
    await grantStoreAppRole(trx, app, { restricted: opts.restrictedTables });
    await trx.raw(
      `ALTER DEFAULT PRIVILEGES FOR ROLE "${owner}" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "${app}"`,
    );
    await trx.raw(
      `ALTER DEFAULT PRIVILEGES FOR ROLE "${owner}" IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO "${app}"`,
    );

    return {
      database: opts.database,
      ownerRole: owner,
      appRole: app,
      ownerPassword: passwords[owner] ?? null,
      appPassword: passwords[app] ?? null,
      created,
      reassigned,
    };
  });
}
