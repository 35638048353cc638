// The gateway's configuration: one YAML file, validated strictly (unknown keys are errors),
// every key with a default so an empty or missing file yields a working local setup.
import { isIP } from 'node:net';
import os from 'node:os';
import { routerConfigSchema } from '@faxgate/router';
import { z } from 'zod';
import { checksSchema } from '../checks/config.js';
import { diskSchema } from '../disk/config.js';
import { hylafaxSchema } from '../hylafax/config.js';
import { mailSchema } from '../mail/config.js';
import { mailIntakeSchema } from '../mail-intake/config.js';
import { WEBHOOK_EVENTS } from '../notify/events.js';
import { modeSchema, pilotSchema } from '../pilot/config.js';
import { checkTimeZone, parseTimeOfDay } from '../pipeline/time-of-day.js';
import { archiveSchema, retentionSchema } from '../retention/config.js';
import { privacySchema, reviewSchema } from '../review/config.js';

export const DEFAULT_CONFIG_PATH = '/etc/faxgate/faxgate.yaml';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_OWNER_URL_FILE = '/etc/faxgate/owner.url';

/** winston's npm levels, most to least severe. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export const LINE_TRANSPORTS = ['rcapi', 'native'] as const;
export const LOCKDOWN_MODES = ['send-receive', 'outgoing-only'] as const;
export const RENDER_SANDBOX_MODES = ['bubblewrap', 'none'] as const;

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));

const int = (min: number, max: number) =>
  z
    .int({ error: (iss) => `expected an integer ${min}..${max}, got ${got(iss.input)}` })
    .min(min)
    .max(max);

const seconds = (min: number, max: number) =>
  z
    .number({ error: (iss) => `expected seconds ${min}..${max}, got ${got(iss.input)}` })
    .min(min)
    .max(max);

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (iss) => `expected one of ${values.join(', ')}, got ${got(iss.input)}` });

const text = (what: string) =>
  z.string({ error: (iss) => `expected ${what}, got ${got(iss.input)}` }).min(1, `expected ${what}, got ""`);

const url = (protocols: string[]) =>
  z
    .string({ error: (iss) => `expected a ${protocols[0]}// URL, got ${got(iss.input)}` })
    .refine((s) => URL.canParse(s) && protocols.includes(new URL(s).protocol), {
      // never echo the value: URLs may carry passwords
      message: `expected a ${protocols.join(' or ')}// URL`,
    });

const absolutePath = z
  .string({ error: (iss) => `expected an absolute path, got ${got(iss.input)}` })
  .regex(/^\/[^\0]*$/, 'expected an absolute path')
  .refine((p) => !p.split('/').includes('..'), 'expected a path without ".."');

const cipList = z
  .array(
    z.union([z.literal(1), z.literal(4), z.literal(16), z.literal(17)], {
      error: (iss) => `expected a fax service CIP (1, 4, 16 or 17), got ${got(iss.input)}`,
    }),
  )
  .refine((a) => new Set(a).size === a.length, 'expected each CIP value once');

function isRegExp(s: string): boolean {
  try {
    new RegExp(s, 'i');
    return true;
  } catch {
    return false;
  }
}

// prefault: an absent section is parsed as {} so its keys get their defaults.
const section = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).prefault({} as never);

/** The default node name: the host name, cut to what a node name may hold. */
export function defaultNodeName(): string {
  const h = os
    .hostname()
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 64);
  return /^[A-Za-z0-9]/.test(h) ? h : `node-${h}`;
}

export const configSchema = z.strictObject({
  /** This gateway process among several on one database (configuration versions are per node). */
  node: section({
    name: text('a node name')
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
        'expected 1..64 of A-Z a-z 0-9 _ . - (a letter or digit first)',
      )
      .default(defaultNodeName),
  }),
  database: section({
    /** Secret (may hold a password). Env: FAXGATE_DATABASE_URL, DATABASE_URL. */
    url: url(['postgres:', 'postgresql:']).default(DEFAULT_DATABASE_URL),
    poolMax: int(1, 100).default(10),
    /** Statements as named prepared statements (parsed and planned once per connection); false behind PgBouncer in transaction mode. */
    preparedStatements: z.boolean().default(true),
    /** Secret: the owner role's URL (migrations, db setup/bootstrap-admin). Env: FAXGATE_DATABASE_OWNER_URL. */
    ownerUrl: url(['postgres:', 'postgresql:']).optional(),
    /** A file holding the owner URL when ownerUrl is unset; must not be world-readable (root and the service user only). */
    ownerUrlFile: absolutePath.default(DEFAULT_OWNER_URL_FILE),
    /** Let the daemon run as a superuser or table owner (demo, tests): loud in the log, /status and the lockdown report. */
    allowPrivileged: z.boolean().default(false),
  }),
  redis: section({
    /** Secret (may hold a password). Env: FAXGATE_REDIS_URL, REDIS_URL. */
    url: url(['redis:', 'rediss:']).default(DEFAULT_REDIS_URL),
    keyPrefix: text('a key prefix')
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'expected 1..64 of A-Z a-z 0-9 : _ . -')
      .default('faxgate'),
  }),
  api: section({
    host: text('a host name or IP address').default('127.0.0.1'),
    /** 0 = any free port (tests); the address actually bound is printed and in /status. */
    port: int(0, 65535).default(8025),
    /** Secret for signing sessions (used by the console once it exists). Env: FAXGATE_SESSION_SECRET. */
    sessionSecret: z
      .string({ error: () => 'expected a string of at least 32 characters' })
      .min(32, 'expected a string of at least 32 characters')
      .optional(),
    /** A login session lasts at most this long … */
    sessionHours: int(1, 720).default(8),
    /** … and ends earlier when unused this long. */
    sessionIdleMinutes: int(1, 1440).default(30),
    /** Upper bound of one fax submission (all files together), and of the files in it. */
    uploadMaxMegabytes: int(1, 1024).default(20),
    uploadMaxFiles: int(1, 100).default(10),
    /** Serve the OpenAPI docs page at /docs (the spec at /openapi.json is always there). */
    docs: z.boolean().default(true),
    /**
     * Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, e.g. 10.0.0.0/8).
     * Empty: the client address is the socket's peer, whatever the header says.
     */
    trustedProxies: z
      .array(
        z.string({ error: (iss) => `expected an IP address or CIDR, got ${got(iss.input)}` }).refine((s) => {
          const [addr, bits, ...rest] = s.split('/');
          const v = isIP(addr);
          if (v === 0 || rest.length > 0) return false;
          return bits === undefined || (/^[0-9]{1,3}$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128));
        }, 'expected an IP address or CIDR such as 10.0.0.0/8'),
      )
      .max(100)
      .default([]),
  }),
  /**
   * Budgets of one fax submission, checked from a pre-scan of every file (pages and declared
   * pixels) before anything is decoded or rendered; over budget is a 400 naming the file.
   */
  intake: section({
    /** Pages of one submission, all files together (a fax has at most 500). */
    maxPages: int(1, 500).default(500),
    /** Pixels of one submission (sum of width × height): default ≈ 500 A4 pages at fine resolution. */
    maxPixels: int(1_000_000, 20_000_000_000).default(2_100_000_000),
    /** Submissions decoded at once; one more is answered 503 with Retry-After, its upload unread. */
    maxConcurrentSubmissions: int(1, 64).default(4),
    /** Wall time for decoding one fax file (TIFF, SFF, PBM) off the main thread. */
    decodeTimeoutSeconds: seconds(1, 600).default(30),
    /**
     * A fax file page with bad rows (repaired or missing) beyond these is refused at submission,
     * naming page and rows, unless sent with acceptDamaged (--accept-damaged), which is audited.
     */
    damage: section({
      /** More than this share of a page's rows bad (0.01 = 1 %). */
      maxBadLineFraction: z
        .number({ error: (iss) => `expected a fraction 0..1, got ${got(iss.input)}` })
        .min(0)
        .max(1)
        .default(0.01),
      /** …or this many consecutive bad rows. */
      maxConsecutiveBadLines: int(1, 100_000).default(16),
    }),
  }),
  render: section({
    /**
     * bubblewrap (default): render workers run in a bubblewrap sandbox, and the gateway refuses
     * to render when bwrap is missing. none: unsandboxed workers — loud in the log, /status and
     * the lockdown report.
     */
    sandbox: oneOf(RENDER_SANDBOX_MODES).default('bubblewrap'),
  }),
  logging: section({
    level: oneOf(LOG_LEVELS).default('info'),
    /** auto = JSON lines when stderr is not a terminal (journald, files), readable lines on a terminal. */
    format: oneOf(['auto', 'text', 'json'] as const).default('auto'),
  }),
  /** The sender block of cover pages (BSI NET.4.3.A7: who sends, how to reach them). */
  cover: section({
    senderOrganisation: z.string().max(100, 'expected at most 100 characters').default(''),
    senderPhone: z.string().max(40, 'expected at most 40 characters').default(''),
    senderEmail: z.string().max(100, 'expected at most 100 characters').default(''),
    /** IANA zone of the date printed on cover pages; empty = the gateway's local zone. */
    timeZone: z.string().max(64).default(''),
  }),
  lines: section({
    transport: oneOf(LINE_TRANSPORTS).default('rcapi'),
    /** Remote CAPI server (rcapi transport, or libcapi20's REMOTE setting for native). */
    host: text('a host name or IP address').default('127.0.0.1'),
    port: int(1, 65535).default(2662),
    /** CAPI controller numbers the gateway may use; empty = no lines configured. */
    controllers: z
      .array(int(1, 127), { error: (iss) => `expected a list of controller numbers, got ${got(iss.input)}` })
      .max(127)
      .refine((a) => new Set(a).size === a.length, 'expected each controller number once')
      .default([]),
    /** Line supervision: how often every controller is probed (GET_PROFILE) while it is up. */
    probeIntervalSeconds: seconds(0.1, 3600).default(5),
    /** …and how long a probe (or a restore step) may take before the line counts as down. */
    probeTimeoutSeconds: seconds(0.1, 120).default(3),
  }),
  lockdown: section({
    mode: oneOf(LOCKDOWN_MODES).default('send-receive'),
    /** CIP values accepted for incoming calls: 4 (3.1 kHz audio), 17 (G3 fax); 1/16 only for analog fax via a PBX. */
    incomingServices: cipList.default([4, 17]),
    /** CIP values used to dial out. */
    outgoingServices: cipList.default([4, 17]),
    /** B3 protocols with B1 = B2 = 4 (T.30): 4 and/or 5 (extended). */
    b3Protocols: z
      .array(
        z.union([z.literal(4), z.literal(5)], { error: (iss) => `expected 4 or 5, got ${got(iss.input)}` }),
      )
      .min(1, 'expected at least one of 4, 5')
      .default([4, 5]),
    ecm: z.boolean().default(true),
    colour: z.boolean().default(false),
    jbig: z.boolean().default(false),
    polling: z.boolean().default(false),
    /** Caller numbers refused (M 4.37): digits, optionally ending in * for a prefix. */
    callerBlocklist: z
      .array(z.string().regex(/^\+?[0-9]+\*?$/, 'expected digits with an optional trailing *'))
      .default([]),
    /** Remote station ids refused: case-insensitive regular expressions. */
    tsiBlocklist: z.array(z.string().refine((s) => isRegExp(s), 'expected a regular expression')).default([]),
    /** A fax call for a number no mailbox owns: deliver to the fax post office, or reject it. */
    unknownNumber: oneOf(['postoffice', 'reject'] as const).default('postoffice'),
    /** Listening sockets on this host that belong to the fax service besides the API (NET.4.3.A3). */
    allowedListeners: z
      .array(
        z.strictObject({
          port: int(1, 65535),
          protocol: oneOf(['tcp', 'udp'] as const).default('tcp'),
          note: z.string().optional(),
        }),
      )
      .default([]),
    /** How often the controller evidence is re-read and compared (M 4.59). */
    evidenceIntervalMinutes: int(1, 10080).default(60),
  }),
  queue: section({
    /** Run the outgoing queue (workers and reconciler) in this gateway process. */
    enabled: z.boolean({ error: () => 'expected true or false' }).default(false),
    /** Parallel calls of this process; 0 = one per usable B channel (each controller's channels minus receiveReserve). */
    concurrency: int(0, 1000).default(0),
    /**
     * Jobs this process holds ready beside its calls (pages loaded, waiting for a channel), so
     * a channel freed by a call is dialled again at once; unset = as many as calls at once,
     * 0 = none (take a job only when a channel is free).
     */
    standbyJobs: int(0, 1000).optional(),
    /**
     * How long a standby job waits for a channel of this process before it goes back to the
     * queue, where another gateway process may take it (real time, not scaled by timeScale).
     */
    standbyWaitSeconds: seconds(0.05, 600).default(2),
    /** B channels kept free for incoming calls on each controller (M 5.75; HylaFAX ModemGroup limit). */
    receiveReserve: int(0, 1000).default(0),
    /** Calls per fax, including those that never connected (HylaFAX MaxDials). */
    maxDials: int(1, 1000).default(12),
    /** Calls per fax that reached the remote fax (HylaFAX MaxTries). */
    maxTries: int(1, 100).default(3),
    /** A fax not sent this long after submission fails (HylaFAX kill time, 3 h). */
    killTimeMinutes: int(1, 525600).default(180),
    /** Delay before the next dial, per cause class (HylaFAX JobReqBusy/NoAnswer/Proto/Other). */
    retryDelaySeconds: section({
      busy: int(1, 86400).default(180),
      noAnswer: int(1, 86400).default(300),
      protocol: int(1, 86400).default(60),
      other: int(1, 86400).default(300),
    }),
    /** A job whose number is being dialled by another job waits this long before it looks again. */
    sameNumberDelaySeconds: int(1, 3600).default(15),
    /** How often the reconciler compares PostgreSQL (the truth) with the Redis queue. */
    reconcileIntervalSeconds: int(1, 86400).default(60),
    /** A call cut off by a crash may have sent pages: hold it for the fax post office, or resend (recorded). */
    outcomeUnknown: oneOf(['hold', 'resend'] as const).default('hold'),
    /** Our station ID (T.30 TSI, ≤ 20 characters) and the header line printed on every page. */
    stationId: z
      .string()
      .regex(/^[\x20-\x7e]{0,20}$/, 'expected at most 20 printable ASCII characters')
      .default(''),
    headLine: z.string().max(200, 'expected at most 200 characters').default(''),
    /** Multiplies every queue delay (retries, kill time); < 1 only for tests and demos. */
    timeScale: z
      .number({ error: (iss) => `expected a number 0.00001..1, got ${got(iss.input)}` })
      .min(0.00001)
      .max(1)
      .default(1),
    /** When faxes may be dialled (HylaFAX TimeOfDay), e.g. "Mon-Fri 0800-1800, Sat 0900-1200". */
    timeOfDay: text('"Any" or sending windows')
      .superRefine((s, ctx) => {
        try {
          parseTimeOfDay(s);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .default('Any'),
    /** Zone of timeOfDay: an IANA name such as Europe/Berlin, or "local" (the gateway's TZ). */
    timeZone: text('an IANA time zone or "local"')
      .refine(
        (s) => {
          try {
            checkTimeZone(s);
            return true;
          } catch {
            return false;
          }
        },
        {
          error: (iss) => `expected an IANA time zone (e.g. Europe/Berlin) or "local", got ${got(iss.input)}`,
        },
      )
      .default('local'),
  }),
  /** How the daemon stops on SIGINT/SIGTERM (run-daemon.ts). */
  shutdown: section({
    /**
     * Calls in progress may finish for this long; then they are disconnected and their faxes
     * requeued with the pages the remote confirmed (cause gateway-stopped). 0: disconnect at once.
     */
    callGraceSeconds: int(0, 3600).default(120),
  }),
  /** Webhooks for fax outcomes, derived from the audit trail (at least once, in order per webhook). */
  notifications: section({
    webhooks: z
      .array(
        z.strictObject({
          name: text('a webhook name').regex(
            /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
            'expected 1..64 of A-Z a-z 0-9 _ . -',
          ),
          url: url(['https:', 'http:']),
          events: z
            .array(oneOf(WEBHOOK_EVENTS))
            .min(1, `expected at least one of ${WEBHOOK_EVENTS.join(', ')}`)
            .refine((a) => new Set(a).size === a.length, 'expected each event once'),
          /** Secret: signs each body (X-Faxgate-Signature: sha256=HMAC). */
          secret: z
            .string({ error: () => 'expected a string of at least 32 characters' })
            .min(32, 'expected a string of at least 32 characters')
            .optional(),
          timeoutSeconds: int(1, 120).default(10),
        }),
        { error: (iss) => `expected a list of webhooks, got ${got(iss.input)}` },
      )
      .refine((a) => new Set(a.map((w) => w.name)).size === a.length, 'expected each webhook name once')
      .default([]),
    /** How often the audit trail is read for new events. */
    pollIntervalSeconds: seconds(0.01, 3600).default(2),
    /** A failed delivery is retried after initialDelay, doubling up to maxDelay, maxAttempts in all. */
    retry: section({
      initialDelaySeconds: seconds(0.01, 86400).default(10),
      maxDelaySeconds: seconds(0.01, 86400).default(600),
      maxAttempts: int(1, 10000).default(30),
    }),
  }),
  /**
   * Numbering plan, destination policy and inbound routing (@faxgate/router). Optional: an
   * absent section is the German plan with the fax post office mailbox as the inbound default.
   */
  routing: routerConfigSchema.prefault({
    numbering: { countryCode: '49' },
    inbound: { default: 'postoffice' },
  } as never),
  /** Retention per mailbox and direction, and the archive written before deleting (retention/config.ts). */
  retention: retentionSchema,
  archive: archiveSchema,
  /** Log review interval and scheduled verify; pseudonymised numbers (review/config.ts). */
  review: reviewSchema,
  privacy: privacySchema,
  /** Free space of spool, tmp, archive and the database size: warning, critical = refuse work (disk/config.ts). */
  disk: diskSchema,
  /** Scheduled health checks of lines, PostgreSQL, Redis, webhooks; history kept (checks/config.ts). */
  checks: checksSchema,
  /** E-mail to fax: the IMAP mailbox polled, allowed senders, bounds (mail-intake/config.ts). */
  mailIntake: mailIntakeSchema,
  /** Fax to e-mail: the relay, the outbox's retry policy, what is mailed (mail/config.ts). */
  mail: mailSchema,
  /** pilot: only test numbers dialled, incoming to the post office, until a release (pilot/config.ts). */
  mode: modeSchema,
  pilot: pilotSchema,
  paths: section({
    spool: absolutePath.default('/var/spool/faxgate'),
    tmp: absolutePath.default('/var/tmp/faxgate'),
  }),
  /** The optional listener for HylaFAX clients (sendfax, faxstat, faxrm, faxalter): hylafax/README.md. */
  hylafax: hylafaxSchema,
  /** Signed checkpoints of the audit chain, kept outside the database (packages/audit README). */
  audit: section({
    /** Where the daemon and `faxgate audit checkpoint` write checkpoints (made 0700); `audit verify` reads it. */
    checkpointDir: absolutePath.default('/var/lib/faxgate/audit-checkpoints'),
    /** The Ed25519 signing key (PEM PKCS#8, 0600; created when absent). Never inside the database. */
    checkpointKeyFile: absolutePath.default('/etc/faxgate/audit-checkpoint.key'),
    /** A checkpoint after this many sealed events (0: not by count). */
    checkpointEveryEvents: int(0, 100_000_000).default(1000),
    /** A checkpoint after this many minutes when the head moved (0: not by time). */
    checkpointIntervalMinutes: int(0, 10_080).default(15),
    /** false: the daemon writes no checkpoints (the CLI still can). */
    checkpoints: z.boolean().default(true),
  }),
});

/** The validated configuration with every default filled in. */
export type FaxgateConfig = z.output<typeof configSchema>;
/** What a YAML file may contain (every key optional). */
export type FaxgateConfigInput = z.input<typeof configSchema>;
