// The `disk:` section of the configuration (issue 17 item 2, BSI M 5.75): when free space of
// the spool, tmp and archive directories, or the database's size, crosses a threshold.
// Kept beside the guard that reads it; config/schema.ts embeds it.
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));
const percent = z
  .number({ error: (iss) => `expected a percentage 0..100, got ${got(iss.input)}` })
  .min(0)
  .max(100);
const bytes = z
  .int({ error: (iss) => `expected a number of bytes (0 or more), got ${got(iss.input)}` })
  .min(0);
const MiB = 1024 * 1024;

export const diskSchema = z
  .strictObject({
    /** How often each node looks at its directories (and the database size). */
    intervalSeconds: z
      .number({ error: (iss) => `expected seconds 1..3600, got ${got(iss.input)}` })
      .min(1)
      .max(3600)
      .default(60),
    /** A directory is at warning below this much free space (percent of its filesystem) … */
    warningPercent: percent.default(10),
    /** … or below this many free bytes (0: not by bytes). */
    warningBytes: bytes.default(2048 * MiB),
    /** Critical: submissions refused (HTTP 507) and incoming calls rejected until space is back. */
    criticalPercent: percent.default(3),
    criticalBytes: bytes.default(256 * MiB),
    /** The database's size (pg_database_size) at warning above this (0: not checked, size shown). */
    databaseWarningBytes: bytes.default(0),
    /** … and critical above this (0: not checked). */
    databaseCriticalBytes: bytes.default(0),
  })
  .refine((d) => d.criticalPercent <= d.warningPercent, {
    message: 'expected criticalPercent not above warningPercent',
  })
  .refine((d) => d.criticalBytes <= d.warningBytes || d.warningBytes === 0, {
    message: 'expected criticalBytes not above warningBytes',
  })
  .prefault({} as never);

export type DiskConfig = z.output<typeof diskSchema>;
