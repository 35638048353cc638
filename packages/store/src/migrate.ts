// Migrations as an ordered in-code list (a knex custom migrationSource): they run the
// same from src under vitest and from dist in production, with no filesystem globbing.
// Other packages (audit) contribute their own migrations; all are merged by name order.
import type { Knex } from 'knex';
import { m0001Core } from './migrations/0001_core.js';
import { m0002Credentials } from './migrations/0002_credentials.js';
import { m0003NotificationCursors } from './migrations/0003_notification_cursors.js';
import { m0004OneCallPerNumber } from './migrations/0004_one_call_per_number.js';
import { m0005LoginThrottle } from './migrations/0005_login_throttle.js';
import { m0010DirectoryNotify } from './migrations/0010_directory_notify.js';
import { m0011ConfigNode } from './migrations/0011_config_node.js';
import { m0020FaxNotify } from './migrations/0020_fax_notify.js';
import { m0030LegalHolds } from './migrations/0030_legal_holds.js';
import { m0040Alerts } from './migrations/0040_alerts.js';
import { m0041ScheduleRuns } from './migrations/0041_schedule_runs.js';
import { m0042HealthChecks } from './migrations/0042_health_checks.js';
import { m0050ConfigAuthor } from './migrations/0050_config_author.js';
import { m0051PilotRelease } from './migrations/0051_pilot_release.js';
import { m0060AuditReviews } from './migrations/0060_audit_reviews.js';
import { m0070LineService } from './migrations/0070_line_service.js';
import { m0080MailOutbox } from './migrations/0080_mail_outbox.js';
import { m0090MailIntake } from './migrations/0090_mail_intake.js';
import { m0095FaxReads } from './migrations/0095_fax_reads.js';

export interface Migration {
  /** Unique, sortable name: store uses 0001–0099, audit 0100–0199, gateway 0200–0299. */
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** The store's own migrations, in order. */
export const storeMigrations: readonly Migration[] = [
  m0001Core,
  m0002Credentials,
  m0003NotificationCursors,
  m0004OneCallPerNumber,
  m0005LoginThrottle,
  m0010DirectoryNotify,
  m0011ConfigNode,
  m0020FaxNotify,
  m0030LegalHolds,
  m0040Alerts,
  m0041ScheduleRuns,
  m0042HealthChecks,
  m0050ConfigAuthor,
  m0051PilotRelease,
  m0060AuditReviews,
  m0070LineService,
  m0080MailOutbox,
  m0090MailIntake,
  m0095FaxReads,
];

/** knex's bookkeeping table for faxgate's migrations. */
export const MIGRATIONS_TABLE = 'faxgate_migrations';

export function mergeMigrations(extra: readonly Migration[] = []): Migration[] {
  const all = [...storeMigrations, ...extra].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < all.length; i++) {
    if (all[i].name === all[i - 1].name) throw new Error(`duplicate migration name ${all[i].name}`);
  }
  return all;
}

class ListSource implements Knex.MigrationSource<Migration> {
  constructor(private readonly list: Migration[]) {}
  async getMigrations(): Promise<Migration[]> {
    return this.list;
  }
  getMigrationName(m: Migration): string {
    return m.name;
  }
  async getMigration(m: Migration): Promise<Knex.Migration> {
    return { up: (k: Knex) => m.up(k), down: (k: Knex) => m.down(k) };
  }
}

function config(extra: readonly Migration[]): Knex.MigratorConfig {
  return { migrationSource: new ListSource(mergeMigrations(extra)), tableName: MIGRATIONS_TABLE };
}

export interface MigrateResult {
  /** Names applied (or rolled back) by this call, in order. */
  applied: string[];
}

/**
 * Brings the schema up to date: the store's migrations plus `extraMigrations` (e.g.
 * `auditMigrations` from @faxgate/audit — always pass the same set, because knex refuses to
 * run when a migration it applied before is missing from the list). Safe to run
 * concurrently (knex holds a lock table) and idempotent.
 */
export async function migrate(
  knex: Knex,
  extraMigrations: readonly Migration[] = [],
): Promise<MigrateResult> {
  const [, applied] = (await knex.migrate.latest(config(extraMigrations))) as [number, string[]];
  return { applied };
}

/** Rolls back the last batch, or with `{ all: true }` every migration. */
export async function migrateDown(
  knex: Knex,
  extraMigrations: readonly Migration[] = [],
  options: { all?: boolean } = {},
): Promise<MigrateResult> {
  const [, applied] = (await knex.migrate.rollback(config(extraMigrations), options.all ?? false)) as [
    number,
    string[],
  ];
  return { applied };
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function migrationStatus(
  knex: Knex,
  extraMigrations: readonly Migration[] = [],
): Promise<MigrationStatus> {
  const [done, pending] = (await knex.migrate.list(config(extraMigrations))) as [
    Array<{ name: string } | string>,
    Migration[],
  ];
  return {
    applied: done.map((d) => (typeof d === 'string' ? d : d.name)),
    pending: pending.map((p) => p.name),
  };
}
