// The `mailIntake:` section (issue 19 item 2): the IMAP mailbox faxgate polls for e-mail to
// fax, who may send through it, and the bounds of one message. Off by default; faxgate
// listens on no mail port — it is an IMAP client only.
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));
const int = (what: string, min: number, max: number) =>
  z
    .int({ error: (iss) => `expected ${what} ${min}..${max}, got ${got(iss.input)}` })
    .min(min)
    .max(max);
const name = (what: string) =>
  z
    .string({ error: (iss) => `expected ${what}, got ${got(iss.input)}` })
    .min(1, `expected ${what}, got ""`)
    .max(200, `expected ${what} of at most 200 characters`);
const address = z
  .string({ error: (iss) => `expected an e-mail address, got ${got(iss.input)}` })
  .regex(
    /^[^\s@<>,]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/,
    'expected an e-mail address like user@example.org',
  )
  .transform((s) => s.toLowerCase());
const domain = z
  .string({ error: (iss) => `expected a domain, got ${got(iss.input)}` })
  .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'expected a domain like fax.example.org')
  .transform((s) => s.toLowerCase());

const allowed = z.strictObject({
  /** The sender's address as it stands in From (compared case-insensitively). */
  address,
  /** The faxgate user the message is sent as: their rights (out.send) apply. */
  user: name('a faxgate user name'),
  /** The outgoing mailbox; absent = the only one the user may send from. */
  mailbox: name('an outgoing mailbox name').optional(),
});

export const mailIntakeSchema = z
  .strictObject({
    /** false (default): no IMAP polling at all. */
    enabled: z.boolean().default(false),
    host: name('a host name').default('127.0.0.1'),
    port: int('a port', 1, 65535).default(993),
    /** implicit: TLS from the first byte (993); starttls: upgraded (143, required); none: loopback tests only. */
    tls: z
      .enum(['implicit', 'starttls', 'none'], {
        error: (iss) => `expected implicit, starttls or none, got ${got(iss.input)}`,
      })
      .default('implicit'),
    user: name('an IMAP login').default('faxgate'),
    /** The IMAP password, read from this file (0600) at each connection; never in the YAML. */
    passwordFile: z
      .string()
      .regex(/^\/[^\0]*$/, 'expected an absolute path')
      .default('/etc/faxgate/imap.password'),
    folder: name('a folder').default('INBOX'),
    /** Where accepted and refused messages go (created when missing). */
    processedFolder: name('a folder').default('faxgate-processed'),
    failedFolder: name('a folder').default('faxgate-failed'),
    /** Numbers in recipient addresses: `+4930123456@<faxDomain>`. */
    faxDomain: domain.default('fax.invalid'),
    /** Senders who may fax by e-mail; anyone else is refused (and told). */
    allow: z
      .array(allowed, { error: (iss) => `expected a list of { address, user }, got ${got(iss.input)}` })
      .refine((a) => new Set(a.map((x) => x.address)).size === a.length, 'expected each address once')
      .default([]),
    /** true: the topmost Authentication-Results of authServId must say dmarc=pass. */
    requireAuthResults: z.boolean().default(false),
    /** The authserv-id of the relay whose Authentication-Results header is trusted. */
    authServId: z.string().max(200).default(''),
    /** Fallback poll interval when the server has no IDLE (and the longest IDLE wait). */
    pollSeconds: int('seconds', 5, 3600).default(60),
    /** One message, as the IMAP server reports its size; larger ones are refused unread. */
    maxMessageMegabytes: int('megabytes', 1, 100).default(25),
    /** One attachment, decoded. */
    maxAttachmentMegabytes: int('megabytes', 1, 100).default(20),
    maxAttachments: int('attachments', 1, 50).default(10),
    /** More Received headers than this is a mail loop. */
    maxReceivedHeaders: int('headers', 5, 100).default(30),
  })
  .refine((c) => !c.requireAuthResults || c.authServId !== '', {
    message: 'requireAuthResults needs authServId (the relay whose Authentication-Results are trusted)',
    path: ['authServId'],
  })
  .prefault({} as never);

export type MailIntakeConfig = z.output<typeof mailIntakeSchema>;
