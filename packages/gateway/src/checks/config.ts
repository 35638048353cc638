// The `checks:` section of the configuration (issue 17 item 3): how often the lines,
// PostgreSQL, Redis and the webhooks are checked and how long the history is kept.
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));
const num = (what: string, min: number, max: number) =>
  z
    .number({ error: (iss) => `expected ${what} ${min}..${max}, got ${got(iss.input)}` })
    .min(min)
    .max(max);

export const checksSchema = z
  .strictObject({
    /** false: no scheduled checks (`faxgate health --run` still runs them). */
    enabled: z.boolean().default(true),
    /** Time between runs, cluster-wide (one node runs them: schedule/). */
    intervalSeconds: num('seconds', 10, 86_400).default(300),
    /** Each check's bound: no answer within it is a failure. */
    timeoutSeconds: num('seconds', 1, 120).default(10),
    /** History kept this many days, then deleted. */
    historyDays: z
      .int({ error: (iss) => `expected days 1..3650, got ${got(iss.input)}` })
      .min(1)
      .max(3650)
      .default(30),
    /** Reachability of each configured webhook URL (notifications.webhooks). */
    webhooks: z.boolean().default(true),
  })
  .prefault({} as never);

export type ChecksConfig = z.output<typeof checksSchema>;
