// What the connected role could do beyond the application's needs: a superuser or the owner
// of a table can switch off its triggers (and with them the audit trail's append-only
// guarantee). The daemon asks this before it starts.
import type { Knex } from 'knex';

export interface PrivilegeDescription {
  /** current_user. */
  user: string;
  superuser: boolean;
  /** CREATEROLE, BYPASSRLS or REPLICATION: attributes the application role never needs. */
  otherAttributes: string[];
  /** Tables in schema public this role owns, directly or through a role it is a member of (a superuser: directly). */
  ownsTables: string[];
  /**
   * Whether this role could disable a trigger on a table of schema public: a superuser, the
   * owner of a table that has triggers, or a role that may set session_replication_role.
   */
  canDisableAuditTriggers: boolean;
}

/** Describes the role `knex` is connected as (run on the daemon's own connection). */
export async function describePrivilege(knex: Knex): Promise<PrivilegeDescription> {
  const { rows: me } = await knex.raw<{
    rows: Array<{
      user: string;
      superuser: boolean;
      createrole: boolean;
      bypassrls: boolean;
      replication: boolean;
    }>;
  }>(
    `SELECT current_user AS "user", rolsuper AS superuser, rolcreaterole AS createrole,
            rolbypassrls AS bypassrls, rolreplication AS replication
       FROM pg_roles WHERE rolname = current_user`,
  );
  const r = me[0];
  const { rows: owned } = await knex.raw<{ rows: Array<{ name: string; triggers: boolean }> }>(
    `SELECT c.relname AS name, EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
        AND (c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
             -- membership (a superuser is a member of every role: only its own tables count)
             OR (NOT ? AND pg_has_role(current_user, c.relowner, 'MEMBER')))
      ORDER BY 1`,
    [r.superuser],
  );
  const { rows: repl } = await knex.raw<{ rows: Array<{ can: boolean }> }>(
    `SELECT CASE WHEN current_setting('server_version_num')::int >= 150000
                 THEN has_parameter_privilege('session_replication_role', 'SET') ELSE false END AS can`,
  );
  const otherAttributes = [
    ...(r.createrole ? ['CREATEROLE'] : []),
    ...(r.bypassrls ? ['BYPASSRLS'] : []),
    ...(r.replication ? ['REPLICATION'] : []),
  ];
  return {
    user: r.user,
    superuser: r.superuser,
    otherAttributes,
    ownsTables: owned.map((o) => o.name),
    canDisableAuditTriggers: r.superuser || owned.some((o) => o.triggers) || repl[0].can,
  };
}

/** Why this role is too privileged for the daemon (empty when it is not). */
export function privilegeProblems(d: PrivilegeDescription): string[] {
  const problems: string[] = [];
  if (d.superuser) problems.push(`${d.user} is a superuser`);
  if (d.ownsTables.length) {
    const shown = d.ownsTables.slice(0, 5).join(', ');
    problems.push(
      `${d.user} owns ${d.ownsTables.length} table(s) (${shown}${d.ownsTables.length > 5 ? ', …' : ''})`,
    );
  }
  if (d.canDisableAuditTriggers && !d.superuser && !d.ownsTables.length) {
    problems.push(`${d.user} may disable triggers (session_replication_role)`);
  }
  if (d.otherAttributes.length && !d.superuser)
    problems.push(`${d.user} has ${d.otherAttributes.join(', ')}`);
  return problems;
}
