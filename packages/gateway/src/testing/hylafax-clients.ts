// Runs the real HylaFAX clients of Debian's hylafax-client package (sendfax, faxstat, faxrm,
// faxalter) against a listener; for the gateway's and the e2e tests (`@faxgate/gateway/testing`).
// The clients ask for the password with getpass(3), which reads standard input when the
// process has no controlling terminal: each client runs detached (its own session, no tty)
// with the password on stdin and FAXUSER naming the user — no password file needed. HOME is
// an empty directory so no ~/.hylarc of the machine applies.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ClientRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ClientOptions {
  port: number;
  user: string;
  password: string;
  /** Lines for ~/.hylarc (e.g. "PassiveMode: yes"). */
  hylarc?: string[];
  timeoutMs?: number;
  cwd?: string;
}

export async function runClient(
  program: 'sendfax' | 'faxstat' | 'faxrm' | 'faxalter',
  args: string[],
  opts: ClientOptions,
): Promise<ClientRun> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-hylafax-home-'));
  if (opts.hylarc) fs.writeFileSync(path.join(home, '.hylarc'), `${opts.hylarc.join('\n')}\n`);
  try {
    return await new Promise<ClientRun>((resolve, reject) => {
      const child = spawn(`/usr/bin/${program}`, ['-h', `127.0.0.1:${opts.port}`, ...args], {
        detached: true,
        cwd: opts.cwd ?? home,
        env: { PATH: '/usr/bin:/bin', HOME: home, FAXUSER: opts.user, LANG: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(`${opts.password}\n`);
    });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
