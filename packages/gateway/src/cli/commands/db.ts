// faxgate db migrate

import { auditMigrations } from '@faxgate/audit';
import { migrate } from '@faxgate/store';
import type { Command } from 'commander';
import { redactUrl } from '../../config/redact.js';
import { printJson, printLine } from '../context.js';
import { change, requirePermission, withSession } from '../session.js';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the PostgreSQL database');

  db.command('migrate')
    .description('bring the schema up to date (store and audit migrations; idempotent)')
    .option('--json', 'print the applied migrations as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      const { applied, url } = await withSession(this, async (s) => {
        await requirePermission(s, 'config.manage', 'migrate the database');
        const r = await migrate(s.db, auditMigrations);
        // The audit table exists only after migrating, so the event follows the migration.
        if (r.applied.length) {
          await change(s, 'system.migrate', async () => ({
            event: { subject: 'database', details: { applied: r.applied } },
            result: undefined,
          }));
        }
        return { applied: r.applied, url: redactUrl(s.loaded.config.database.url) };
      });
      if (o.json) printJson({ database: url, applied });
      else printLine(applied.length ? `${url}: applied ${applied.join(', ')}` : `${url}: schema up to date`);
    });
}
