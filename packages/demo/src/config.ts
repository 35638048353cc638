// The demo's configuration, built in code so the demo never reads or changes a real one:
// the simulator's controllers over the pure-TypeScript rcapi transport, the send queue on,
// a German numbering plan for Berlin (030) and the demo mailboxes' own number range.
import { type FaxgateConfig, type FaxgateConfigInput, validateConfig } from '@faxgate/gateway';

/** The demo's API port; when it is taken the demo listens on a free port instead and says so. */
export const DEMO_API_PORT = 8025;
/** The HylaFAX clients' port (hfaxd's); when it is taken the demo takes a free one and says so. */
export const DEMO_HYLAFAX_PORT = 4559;
/**
 * Redis keys of the demo's queue stay apart from a real gateway's (`faxgate:`) and from a
 * demo on another database (queue job id = fax id): `faxgate-demo-<database name>`.
 */
export function demoRedisPrefix(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
  return `faxgate-demo-${name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 48)}`;
}

/** Our numbers at the simulated exchange: controller 1 has MSNs 3001 and 3002, controller 2 DDI 4000–4099. */
export const DEMO_NUMBERS = {
  /** Called number of the demo user's incoming mailbox (MSN 3001). */
  inbox: '+49 30 3001',
  /** Sender number of the outgoing mailbox (MSN 3002). */
  outbox: '+49 30 3002',
  /** The whole range that is ours: a fax to it is delivered internally, never dialled. */
  ownRange: ['+49303001-+49303002', '+49304000-+49304099'],
} as const;

/** How long the demo lets a call in progress finish when it stops (shutdown.callGraceSeconds). */
export const DEMO_CALL_GRACE_SECONDS = 10;

/** The simulated remote fax machine the sample PDF goes to (capi-sim's default party, CSI "+49 555 1000"). */
export const DEMO_REMOTE_FAX = '5551000';
/** The simulated sender of the incoming fax. */
export const DEMO_CALLER = { number: '0891234567', tsi: '+49 89 1234567', calls: '3001' } as const;

export interface DemoConfigOptions {
  simPort: number;
  apiPort: number;
  /** The HylaFAX listener's port (default DEMO_HYLAFAX_PORT; 0 = any free port). */
  hylafaxPort?: number;
  /** Environment for the secrets' overrides (FAXGATE_DATABASE_URL, REDIS_URL, …). */
  env?: NodeJS.ProcessEnv;
  /** The demo's private directory: paths.spool and paths.tmp go under it (not /var). */
  workDir?: string;
}

/** The configuration as a YAML-ready object (written for the CLI) and validated. */
export function demoConfig(opts: DemoConfigOptions): {
  input: FaxgateConfigInput;
  config: FaxgateConfig;
  /** Environment variables that set a secret (names only). */
  envOverrides: string[];
} {
  const input = {
    api: { host: '127.0.0.1', port: opts.apiPort },
    // HylaFAX clients (sendfax, faxstat, faxrm, faxalter) on loopback only.
    hylafax: { enabled: true, address: '127.0.0.1', port: opts.hylafaxPort ?? DEMO_HYLAFAX_PORT },
    redis: { keyPrefix: 'faxgate-demo' },
    logging: { level: 'warn', format: 'auto' },
    lines: { transport: 'rcapi', host: '127.0.0.1', port: opts.simPort, controllers: [1, 2] },
    lockdown: { mode: 'send-receive' },
    ...(opts.workDir
      ? {
          paths: { spool: `${opts.workDir}/spool`, tmp: `${opts.workDir}/tmp` },
          audit: {
            checkpointDir: `${opts.workDir}/audit-checkpoints`,
            checkpointKeyFile: `${opts.workDir}/audit-checkpoint.key`,
          },
        }
      : {}),
    queue: {
      enabled: true,
      receiveReserve: 1,
      stationId: DEMO_NUMBERS.outbox,
      headLine: 'faxgate demo',
      timeScale: 1,
    },
    // Ctrl-C: a call in progress gets 10 s to finish, then it is cut and its fax requeued.
    shutdown: { callGraceSeconds: DEMO_CALL_GRACE_SECONDS },
    routing: {
      numbering: { countryCode: '49', areaCode: '30', localNumberLength: 8, dialLocal: true },
      inbound: {
        default: 'demo-postoffice',
        ownNumbers: [...DEMO_NUMBERS.ownRange],
      },
    },
  } satisfies FaxgateConfigInput;
  // Only the secrets come from the environment; a config file ($FAXGATE_CONFIG,
  // /etc/faxgate/faxgate.yaml) is never read.
  const env = opts.env ?? process.env;
  const first = validateConfig(input, env, 'demo configuration');
  input.redis.keyPrefix = demoRedisPrefix(first.config.database.url);
  const { config, envOverrides } = validateConfig(input, env, 'demo configuration');
  return { input, config, envOverrides };
}
