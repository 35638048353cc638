// A real Dovecot IMAP server for the e-mail-to-fax tests (Debian dovecot-imapd): its own
// configuration, passwd file, maildirs, logs and sockets in a temporary directory, listening on
// a free loopback port, plain IMAP without TLS (loopback only). Started in the foreground
// (`dovecot -F -c conf`) as a child of the test and stopped with it; never the system's Dovecot.
// As root the mail files belong to `nobody` (Dovecot refuses mail access as uid 0); as another
// user everything runs as that user.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';

export interface DovecotServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** A file holding the password, as mailIntake.passwordFile expects it. */
  passwordFile: string;
  dir: string;
  /** Dovecot's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('data', (d) => {
        c.destroy();
        resolve(d.toString().startsWith('* OK'));
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not answer on port ${port} within 15 s: ${log()}`);
}

export async function startDovecot(opts: { user?: string; password?: string } = {}): Promise<DovecotServer> {
  if (!fs.existsSync(DOVECOT_BINARY)) {
    throw new Error(`${DOVECOT_BINARY} is missing: install dovecot-imapd (infra/apt-packages.txt)`);
  }
  const user = opts.user ?? 'faxgate';
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-dovecot-'));
  const root = process.getuid?.() === 0;
  const me = os.userInfo();
  const mailUid = root ? 65534 : me.uid;
  const mailGid = root ? 65534 : me.gid;
  const mailDir = path.join(dir, 'mail');
  fs.mkdirSync(mailDir);
  if (root) {
    // the login and auth processes (dovenull, dovecot) and the mail user must reach their parts
    fs.chmodSync(dir, 0o755);
    fs.chownSync(mailDir, mailUid, mailGid);
  }
  const users = path.join(dir, 'users');
  fs.writeFileSync(users, `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  const passwordFile = path.join(dir, 'imap.password');
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const port = await freePort();
  const logFile = path.join(dir, 'dovecot.log');
  const asUser = root
    ? ''
    : `default_login_user = ${me.username}
default_internal_user = ${me.username}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(
    conf,
    `instance_name = faxgate-test-${path.basename(dir)}
base_dir = ${dir}/run
state_dir = ${dir}/state
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${logFile}
mail_location = maildir:${mailDir}/%u
first_valid_uid = 1
${asUser}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${users}
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${mailDir}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );
  const child = spawn(DOVECOT_BINARY, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const log = () => {
    const file = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    return `${output}${file}`.slice(-4000);
  };
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { host: '127.0.0.1', port, user, password, passwordFile, dir, log, stop };
}
