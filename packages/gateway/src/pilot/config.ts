// `mode:` and the `pilot:` section of the configuration (issue 17 item 4). In pilot mode only
// the test numbers are dialled, incoming faxes go to the post office (routing.inbound.default),
// and every API answer says so, until `faxgate release` records a release by a second admin after a passing
// selftest. Kept beside the code that reads it; config/schema.ts embeds it.
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));

export const MODES = ['production', 'pilot'] as const;
export type Mode = (typeof MODES)[number];

export const modeSchema = z
  .enum(MODES, { error: (iss) => `expected one of ${MODES.join(', ')}, got ${got(iss.input)}` })
  .default('production');

const e164 = z
  .string({ error: (iss) => `expected a fax number in E.164 (+4930…), got ${got(iss.input)}` })
  .regex(/^\+[1-9][0-9]{3,15}$/, 'expected a fax number in E.164 (+4930…)');

export const pilotSchema = z
  .strictObject({
    /** The only numbers dialled in pilot mode (E.164). */
    testNumbers: z.array(e164).max(100).default([]),
    /** The number the selftest sends to (one of testNumbers; default the first). */
    selftestNumber: e164.optional(),
    /** A release needs a passing selftest younger than this. */
    selftestMaxAgeHours: z
      .number({ error: (iss) => `expected hours 1..168, got ${got(iss.input)}` })
      .min(1)
      .max(168)
      .default(24),
  })
  .prefault({});

export type PilotConfig = z.output<typeof pilotSchema>;
