// The `mail:` section (issue 19 item 1): the organisation's relay faxgate sends through (it is
// never a mail server itself), the retry policy of the outbox, and what is mailed. Off by
// default; the relay's password is read from a file, never written in the YAML.
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));
const num = (what: string, min: number, max: number) =>
  z
    .number({ error: (iss) => `expected ${what} ${min}..${max}, got ${got(iss.input)}` })
    .min(min)
    .max(max);
const int = (what: string, min: number, max: number) =>
  z
    .int({ error: (iss) => `expected ${what} ${min}..${max}, got ${got(iss.input)}` })
    .min(min)
    .max(max);
const path = z
  .string({ error: (iss) => `expected an absolute path, got ${got(iss.input)}` })
  .regex(/^\/[^\0]*$/, 'expected an absolute path')
  .refine((p) => !p.split('/').includes('..'), 'expected a path without ".."');
const address = z
  .string({ error: (iss) => `expected an e-mail address, got ${got(iss.input)}` })
  .regex(/^[A-Za-z0-9.!#%&'*+/=^_{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$/, {
    message: 'expected a plain address like faxgate@example.org',
  });

const smtpSchema = z
  .strictObject({
    host: z.string().min(1, 'expected a host name').max(253).default('127.0.0.1'),
    port: int('a port', 1, 65535).default(587),
    /** starttls: upgrade required (587/25); implicit: TLS from the first byte (465); none: loopback tests only. */
    tls: z
      .enum(['starttls', 'implicit', 'none'], {
        error: (iss) => `expected starttls, implicit or none, got ${got(iss.input)}`,
      })
      .default('starttls'),
    /** Verify the relay's certificate (false only for a test relay). */
    rejectUnauthorized: z.boolean().default(true),
    /** Extra CA certificates (PEM) to trust for the relay, e.g. an internal CA. */
    caFile: path.optional(),
    /** AUTH login; absent = the relay accepts faxgate without authentication (by address). */
    user: z.string().min(1).max(200).optional(),
    /** The password, read from this file (0600) at each connection; never in the YAML. */
    passwordFile: path.default('/etc/faxgate/smtp.password'),
    /** Envelope and From address of every mail. */
    from: address.default('faxgate@localhost.localdomain'),
    /** Display name in From. */
    fromName: z.string().max(100).default('faxgate'),
    connectionTimeoutSeconds: num('seconds', 1, 300).default(30),
    greetingTimeoutSeconds: num('seconds', 1, 300).default(30),
    socketTimeoutSeconds: num('seconds', 1, 3600).default(120),
  })
  .prefault({} as never);

export const mailSchema = z
  .strictObject({
    /** false (default): nothing is mailed; the outbox is not delivered (rows wait). */
    enabled: z.boolean().default(false),
    smtp: smtpSchema,
    /** How often the outbox is read when no NOTIFY woke the worker. */
    pollIntervalSeconds: num('seconds', 0.05, 3600).default(10),
    /** Mails one node sends at a time. */
    concurrency: int('mails', 1, 20).default(2),
    retry: z
      .strictObject({
        /** A failed delivery is retried after initialDelay, doubling up to maxDelay (with jitter). */
        initialDelaySeconds: num('seconds', 0.01, 86_400).default(60),
        maxDelaySeconds: num('seconds', 0.01, 86_400).default(3600),
        /** Given up (state failed, mail.failed) after this many attempts … */
        maxAttempts: int('attempts', 1, 1000).default(20),
        /** … or when the mail is older than this. A permanent refusal (5xx) gives up at once. */
        maxAgeHours: num('hours', 0.001, 720).default(72),
      })
      .prefault({} as never),
    /** A received fax is mailed to its mailbox's recipients and opted-in readers. */
    receivedFaxes: z.boolean().default(true),
    /** A send result (done / failed) is mailed to the submitting user (opted in) and the fax's notify address. */
    sendResults: z.boolean().default(true),
  })
  .prefault({} as never);

export type MailConfig = z.output<typeof mailSchema>;
export type SmtpConfig = MailConfig['smtp'];
