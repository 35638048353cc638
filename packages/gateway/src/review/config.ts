// The `review:` and `privacy:` sections of the configuration (issue 17 item 6). Kept here,
// beside the code that reads them; config/schema.ts embeds them.
import { ROLES } from '@faxgate/store';
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));
const int = (what: string, min: number, max: number) =>
  z
    .int({ error: (iss) => `expected ${what} ${min}..${max}, got ${got(iss.input)}` })
    .min(min)
    .max(max);

export const reviewSchema = z
  .strictObject({
    /** A log review is due this many days after the end of the last reviewed period (M 5.25). */
    intervalDays: int('days', 1, 366).default(7),
    /** Minutes between scheduled audit verifies (chain and checkpoints). */
    verifyIntervalMinutes: int('minutes', 5, 10_080).default(1440),
  })
  .prefault({} as never);

export const privacySchema = z
  .strictObject({
    /**
     * Roles that see remote numbers only as pseudonyms in review reports (works-council scope
     * of logging); a caller holding any role not listed sees the numbers.
     */
    pseudonymiseNumbersFor: z
      .array(z.enum(ROLES, { error: (iss) => `expected one of ${ROLES.join(', ')}, got ${got(iss.input)}` }))
      .default([]),
    /** The secret of the keyed hash (16+ bytes, 0600); never inside the database. */
    pseudonymKeyFile: z
      .string({ error: (iss) => `expected an absolute path, got ${got(iss.input)}` })
      .regex(/^\/[^\0]*$/, 'expected an absolute path')
      .default('/etc/faxgate/pseudonym.key'),
  })
  .prefault({} as never);
