// What the demo prints: where to look once it runs, and one line per fax event as it happens.
import type { Fax } from '@faxgate/store';
import type { DemoLogin } from './seed.js';

export interface Plan {
  countryCode: string;
  areaCode: string;
}

/** +49305551000 → "+49 30 5551000" (our area), +49891234567 → "+49 891234567"; anything else as it is. */
export function formatNumber(e164: string | null | undefined, plan: Plan): string {
  if (!e164) return 'an unknown number';
  const cc = `+${plan.countryCode}`;
  if (!e164.startsWith(cc)) return e164;
  const national = e164.slice(cc.length);
  if (national.startsWith(plan.areaCode) && national.length > plan.areaCode.length) {
    return `${cc} ${plan.areaCode} ${national.slice(plan.areaCode.length)}`;
  }
  return `${cc} ${national}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line for a fax that reached `fax.state`, or null for states not worth a line. */
export function faxEventLine(
  fax: Fax,
  mailboxName: (id: number | null) => string,
  plan: Plan,
): string | null {
  const remote = formatNumber(fax.remoteNumber, plan);
  const station = fax.remoteStationId ? ` (station "${fax.remoteStationId}")` : '';
  if (fax.direction === 'out') {
    const what = `fax ${fax.id} to ${remote}`;
    switch (fax.state) {
      case 'running':
        return `${what}: calling`;
      case 'done': {
        if (fax.internal) {
          const into = fax.metadata.internalMailbox;
          return `${what}: delivered internally into mailbox ${mailboxName(typeof into === 'number' ? into : null)}, no call`;
        }
        return `sent ${what}: done, ${plural(fax.pagesDone, 'page')} confirmed${station}`;
      }
      case 'failed':
      case 'rejected':
        return `sent ${what}: ${fax.state}${fax.causeText ? `: ${fax.causeText}` : ''} (${plural(fax.dials, 'dial')})`;
      case 'sleeping':
      case 'blocked':
        return `${what}: ${fax.state}${fax.causeText ? ` (${fax.causeText})` : ''}, will retry`;
      default:
        return null;
    }
  }
  if (fax.internal) return null; // its outgoing twin's line says it
  switch (fax.state) {
    case 'receiving':
      return `receiving fax ${fax.id} from ${remote}${station}`;
    case 'received':
      return `received fax ${fax.id} from ${remote}${station} into mailbox ${mailboxName(fax.mailboxId)}: ${plural(fax.pagesDone, 'page')}`;
    case 'failed':
      return `receiving fax ${fax.id} from ${remote} failed${fax.causeText ? `: ${fax.causeText}` : ''}`;
    default:
      return null;
  }
}

export interface Banner {
  apiAddress: string;
  /** Why the API is not on the usual port, when it is not. */
  apiNote?: string;
  /** Where HylaFAX clients connect (host:port), when the listener runs. */
  hylafaxAddress?: string;
  /** Whether GET /openapi.json answered: the REST API is served. */
  restApi: boolean;
  logins: DemoLogin[];
  simAddress: string;
  timeFactor: number;
  database: string;
  redis: string;
  redisPrefix: string;
  configFile: string;
  samplePdf: string;
  /** Secrets taken from the environment: the CLI needs the same variables. */
  envOverrides: string[];
}

/** The lines printed once everything runs: addresses, logins, CLI commands. */
export function bannerLines(b: Banner): string[] {
  const cli = (cmd: string) => `    npx faxgate -c ${b.configFile} ${cmd}`;
  const width = Math.max(...b.logins.map((l) => l.name.length));
  const api = b.restApi ? '' : '   (REST API not served yet by this build: /health and /status are)';
  return [
    '',
    'faxgate demo is running',
    `  console:    ${b.apiAddress}/   (web console: sign in in a browser with one of these logins)`,
    '  logins (new passwords on every start of the demo):',
    ...b.logins.map((l) => `    ${l.name.padEnd(width)}  ${l.password}  ${l.role}: ${l.shows}`),
    `  API:        ${b.apiAddress}${b.apiNote ? `   (${b.apiNote})` : ''}`,
    `              docs ${b.apiAddress}/docs, spec ${b.apiAddress}/openapi.json, GET /health, GET /status${api}`,
    `  log in:     curl -s -X POST ${b.apiAddress}/api/v1/sessions -H 'content-type: application/json' \\`,
    `                -d '{"username":"demo-user","password":"${b.logins.find((l) => l.name === 'demo-user')?.password ?? ''}"}'`,
    ...(b.hylafaxAddress
      ? [
          `  HylaFAX clients: ${b.hylafaxAddress}   (sendfax, faxstat, faxrm, faxalter of Debian's hylafax-client; the password on stdin):`,
          `    echo '${b.logins.find((l) => l.name === 'demo-user')?.password ?? ''}' | FAXUSER=demo-user setsid sendfax -h ${b.hylafaxAddress} -n -d 5551001 ${b.samplePdf}`,
          `    echo '…' | FAXUSER=demo-user setsid faxstat -s -h ${b.hylafaxAddress}    # also -d (done), -r (received); faxrm <JID>, faxalter -a 'now + 1 hour' <JID>`,
        ]
      : []),
    `  lines:      simulated ISDN exchange (capi-sim) at ${b.simAddress} over rcapi, controllers 1 and 2,`,
    `              time factor ${b.timeFactor}; remote fax machines 5551000 … 5551003, busy 5552000, no answer 5552001`,
    '  mailboxes:  demo-out (outgoing, +49 30 3002), demo-in (incoming, +49 30 3001),',
    '              demo-postoffice (the fax post office: calls no mailbox claims, e.g. to 4000 - 4099)',
    `  database:   ${b.database}`,
    `  redis:      ${b.redis} (key prefix ${b.redisPrefix})`,
    `  CLI, with the demo's configuration${b.envOverrides.length ? ` (and the same ${b.envOverrides.map((e) => `$${e}`).join(', ')})` : ''}: a client of the API;`,
    '  log in first (the password above; the token is kept in ~/.config/faxgate/token, 0600):',
    cli('login --user demo-user'),
    cli('inbox'),
    cli(`send -d 0305551001 ${b.samplePdf}`),
    `${cli(`send -d 4001 ${b.samplePdf}`)}     # internal: no call`,
    cli('logout'),
    `${cli('login --user demo-operator')}   # then: status --all --wide, health, queue hold <JID>`,
    `${cli('login --user demo-admin')}      # then: health --run, retention run --dry-run, config history, selftest (signed; its test call fails here: the demo sets no pilot.testNumbers)`,
    `${cli('login --user demo-auditor')}    # then: log export, audit export, audit review-report, compliance report`,
    `  or per command: FAXGATE_TOKEN=<token of POST /api/v1/sessions> npx faxgate -c ${b.configFile} status`,
    '  system commands (database credentials, no login; audited as system:<OS user>):',
    cli('audit verify'),
    'Press Ctrl-C to stop.',
    '',
  ];
}
