// faxgate login | logout | whoami — the CLI's own credentials. A login asks the gateway's API
// for a session (user name and password) or checks a given API token, and keeps the token
// in the caller's private token file (credentials-file.ts); nothing else gives the CLI rights.
import os from 'node:os';
import type { Command } from 'commander';
import {
  API_V1,
  ApiClient,
  apiBaseUrl,
  apiClient,
  errorOf,
  loggedIn,
  notLoggedIn,
  unreachable,
} from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { discardTokenFile, removeStoredToken, storeToken, tokenFilePath } from '../credentials-file.js';
import { CliError, TokenFileError } from '../errors.js';
import { readAllStdin, readPassword } from '../password.js';

interface Me {
  user: { name: string; displayName?: string; roles: string[] };
  capabilities: string[];
  mailboxes: Array<{ mailbox: { name: string; kind: string }; rights: string[] }>;
}

function osUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    throw new CliError('give --user NAME: the OS user has no name', 2);
  }
}

async function passwordLogin(
  base: string,
  username: string,
  password: string,
): Promise<{ token: string; expiresAt: string; user: { name: string } }> {
  let res: Response;
  try {
    res = await fetch(`${base}${API_V1}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'faxgate-cli' },
      body: JSON.stringify({ username, password }),
      redirect: 'error',
    });
  } catch (e) {
    throw unreachable(base, e);
  }
  if (res.status !== 201) throw await errorOf(res, base, null);
  return (await res.json()) as { token: string; expiresAt: string; user: { name: string } };
}

export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description(
      'log in to the gateway API: the token is kept in $XDG_CONFIG_HOME/faxgate/token (0600), per API URL',
    )
    .option('--user <name>', 'faxgate user name (default: the OS user name)')
    .option('--token-stdin', 'use an API token read from standard input instead of a password')
    .action(async function (this: Command, o: { user?: string; tokenStdin?: boolean }) {
      const base = apiBaseUrl(this);
      const file = tokenFilePath();
      if (o.tokenStdin) {
        if (o.user !== undefined) throw new CliError('--user and --token-stdin exclude each other', 2);
        const token = (await readAllStdin()).trim();
        if (!/^[\x21-\x7e]{8,512}$/.test(token))
          throw new CliError('--token-stdin: no token on standard input', 2);
        const me = await new ApiClient(base, token, 'env').call<Me>('GET', '/me').catch((e) => {
          if (e instanceof CliError && 'status' in e && e.status === 401)
            throw new CliError(`the token is not accepted by ${base}`, 2);
          throw e;
        });
        storeToken(base, { token, user: me.user.name, expiresAt: null }, file);
        printLine(`logged in to ${base} as ${me.user.name} (API token; kept in ${file})`);
        return;
      }
      const username = o.user ?? osUserName();
      const password = await readPassword({ stdin: false, prompt: `Password for ${username} at ${base}: ` });
      const r = await passwordLogin(base, username, password);
      storeToken(base, { token: r.token, user: r.user.name, expiresAt: r.expiresAt }, file);
      printLine(`logged in to ${base} as ${r.user.name} until ${r.expiresAt} (kept in ${file})`);
    });

  program
    .command('logout')
    .description('end the session at the gateway and forget its token')
    .action(async function (this: Command) {
      let c: ReturnType<typeof apiClient>;
      try {
        c = apiClient(this);
      } catch (e) {
        if (!(e instanceof TokenFileError)) throw e;
        // A token file that may have been read by others is removed; its session should be
        // ended as well (an admin can revoke it, or it expires).
        discardTokenFile(e.file);
        printLine(`removed the refused token file ${e.file}; its session ends when it expires`);
        return;
      }
      if (c.token === null) {
        printLine(`not logged in to ${c.base}`);
        return;
      }
      try {
        await c.call('DELETE', '/sessions/current');
      } catch (e) {
        // An expired or revoked session is as good as ended; the token is forgotten all the same.
        if (!(e instanceof CliError && 'status' in e && e.status === 401)) {
          if (c.tokenSource === 'file') removeStoredToken(c.base);
          throw e;
        }
      }
      if (c.tokenSource === 'file') removeStoredToken(c.base);
      printLine(
        c.tokenSource === 'env'
          ? `logged out of ${c.base} (unset $FAXGATE_TOKEN too)`
          : `logged out of ${c.base}`,
      );
    });

  program
    .command('whoami')
    .description('the faxgate user of the current token: roles, capabilities, mailbox rights')
    .option('--json', 'print as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      const c = loggedIn(this);
      const me = await c.call<Me>('GET', '/me').catch((e) => {
        if (e instanceof CliError && 'status' in e && e.status === 401)
          throw notLoggedIn(c.base, c.tokenSource);
        throw e;
      });
      if (o.json) {
        printJson({ api: c.base, ...me });
        return;
      }
      printLine(`${me.user.name} at ${c.base} (roles: ${me.user.roles.join(', ') || 'none'})`);
      if (me.capabilities.length) printLine(`capabilities: ${me.capabilities.join(', ')}`);
      for (const m of me.mailboxes)
        printLine(`mailbox ${m.mailbox.name} (${m.mailbox.kind}): ${m.rights.join(', ')}`);
    });
}
