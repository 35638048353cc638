// The `retention:` and `archive:` sections of the configuration (issue 17 item 1). Kept here,
// beside the job that reads them; config/schema.ts embeds them.
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));

const days = z
  .int({ error: (iss) => `expected days 1..36500, got ${got(iss.input)}` })
  .min(1)
  .max(36500);

/** Outgoing faxes: kept N days after they finished, or deleted once finished. */
const outgoingRule = z.union([days, z.literal('after-completion')], {
  error: (iss) => `expected days 1..36500 or "after-completion", got ${got(iss.input)}`,
});
/** Incoming faxes: kept N days after they arrived, or deleted once forwarded (a fax.forward event). */
const incomingRule = z.union([days, z.literal('after-forwarding')], {
  error: (iss) => `expected days 1..36500 or "after-forwarding", got ${got(iss.input)}`,
});

export type OutgoingRule = z.output<typeof outgoingRule>;
export type IncomingRule = z.output<typeof incomingRule>;

const mailboxRule = z.strictObject({
  mailbox: z
    .string({ error: (iss) => `expected a mailbox name, got ${got(iss.input)}` })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'expected a mailbox name'),
  outgoing: outgoingRule.optional(),
  incoming: incomingRule.optional(),
});

export const retentionSchema = z
  .strictObject({
    /** Default for sent faxes in mailboxes without a rule of their own. */
    outgoingDays: days.default(30),
    /** Default for received faxes in mailboxes without a rule of their own. */
    incomingDays: days.default(90),
    /** Recorded only: the send/receive log is evidence in the hash chain and is never pruned. */
    sendLogDays: days.default(3650),
    /** How often the scheduled job runs (one node at a time); 0: never by schedule. */
    intervalMinutes: z
      .int({ error: (iss) => `expected minutes 0..10080, got ${got(iss.input)}` })
      .min(0)
      .max(10_080)
      .default(60),
    /** Faxes deleted by one run at most (the rest wait for the next run). */
    maxFaxesPerRun: z
      .int({ error: (iss) => `expected an integer 1..100000, got ${got(iss.input)}` })
      .min(1)
      .max(100_000)
      .default(1000),
    /** Rules per mailbox and direction, overriding the defaults. */
    mailboxes: z
      .array(mailboxRule, { error: (iss) => `expected a list of mailbox rules, got ${got(iss.input)}` })
      .refine((a) => new Set(a.map((r) => r.mailbox)).size === a.length, 'expected each mailbox once')
      .default([]),
  })
  .prefault({} as never);

export const archiveSchema = z
  .strictObject({
    /** Where retention writes one package per fax before deleting it; unset: no archive. */
    dir: z
      .string({ error: (iss) => `expected an absolute path, got ${got(iss.input)}` })
      .regex(/^\/[^\0]*$/, 'expected an absolute path')
      .refine((p) => !p.split('/').includes('..'), 'expected a path without ".."')
      .optional(),
  })
  .prefault({} as never);

export type RetentionConfig = z.output<typeof retentionSchema>;
export type ArchiveConfig = z.output<typeof archiveSchema>;
