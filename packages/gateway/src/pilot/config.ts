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
    /** The number the selftest sends to and expects a fax back from (default the first test number). */
    selftestNumber: e164.optional(),
    /**
     * The outgoing mailbox the selftest sends from, as the admin who runs it (who needs
     * out.send there). Unset: the test call is skipped, and the report says so.
     */
    selftestMailbox: z.string().min(1).max(64).optional(),
    /** How long the selftest waits for its fax to be sent and for the fax back. */
    selftestCallSeconds: z
      .number({ error: (iss) => `expected seconds 10..1800, got ${got(iss.input)}` })
      .min(10)
      .max(1800)
      .default(300),
    /** A release needs a passing selftest younger than this. */
    selftestMaxAgeHours: z
      .number({ error: (iss) => `expected hours 1..168, got ${got(iss.input)}` })
      .min(1)
      .max(168)
      .default(24),
  })
  .prefault({});

export type PilotConfig = z.output<typeof pilotSchema>;
