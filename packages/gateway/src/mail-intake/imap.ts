// The IMAP side of the intake: a connection as mailIntake configures it (imapflow; faxgate is
// only a client), the processed and failed folders made when missing, and the health check
// (login, NOOP, the three folders there).
import fs from 'node:fs';
import { ImapFlow } from 'imapflow';
import type { HealthCheck } from '../checks/checks.js';
import type { MailIntakeConfig } from './config.js';

/** The password file's first line; a clear error naming the file (not the content) otherwise. */
export function readImapPassword(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `mailIntake.passwordFile ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const password = text.split(/\r?\n/)[0] ?? '';
  if (!password) throw new Error(`mailIntake.passwordFile ${file} is empty`);
  return password;
}

/** A client, not yet connected. */
export function imapClient(cfg: MailIntakeConfig): ImapFlow {
  return new ImapFlow({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.tls === 'implicit',
    // starttls: required, never plain; none: never (loopback tests); implicit: not asked
    doSTARTTLS: cfg.tls === 'starttls' ? true : cfg.tls === 'none' ? false : undefined,
    auth: { user: cfg.user, pass: readImapPassword(cfg.passwordFile) },
    logger: false,
    // IDLE is left and entered again at least this often, so a silently dead connection shows
    maxIdleTime: cfg.pollSeconds * 1000,
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    socketTimeout: Math.max(5 * 60_000, cfg.pollSeconds * 2000),
  });
}

/** The folders the intake needs, created when missing (processed, failed); the intake folder must exist. */
export async function ensureFolders(client: ImapFlow, cfg: MailIntakeConfig): Promise<void> {
  const have = new Set((await client.list()).map((m) => m.path));
  if (!have.has(cfg.folder) && cfg.folder.toUpperCase() !== 'INBOX') {
    throw new Error(`IMAP folder ${cfg.folder} does not exist`);
  }
  for (const f of [cfg.processedFolder, cfg.failedFolder]) if (!have.has(f)) await client.mailboxCreate(f);
}

/** Health check `imap`: log in, NOOP, the intake, processed and failed folders exist. */
export function imapCheck(cfg: () => MailIntakeConfig): HealthCheck {
  return {
    name: 'imap',
    async run(signal) {
      const c = cfg();
      const client = imapClient(c);
      const abort = () => client.close();
      signal.addEventListener('abort', abort, { once: true });
      client.on('error', () => {}); // reported by the failing command below
      try {
        await client.connect();
        await client.noop();
        const have = new Set((await client.list()).map((m) => m.path.toUpperCase()));
        const missing = [c.folder, c.processedFolder, c.failedFolder].filter(
          (f) => !have.has(f.toUpperCase()),
        );
        if (missing.length > 0) throw new Error(`${c.host}:${c.port}: folder ${missing.join(', ')} missing`);
        return `${c.user}@${c.host}:${c.port}: logged in, NOOP answered, folders ${c.folder}, ${c.processedFolder}, ${c.failedFolder} there`;
      } catch (e) {
        const err = e as Error & { responseText?: string; authenticationFailed?: boolean };
        if (err.message.startsWith(`${c.host}:${c.port}: `)) throw err;
        if (err.authenticationFailed) throw new Error(`${c.user}@${c.host}:${c.port}: login refused`);
        throw new Error(`${c.host}:${c.port}: ${err.responseText ?? err.message}`);
      } finally {
        signal.removeEventListener('abort', abort);
        await client.logout().catch(() => client.close());
      }
    },
  };
}
