// A real SMTP relay for the mail tests: the nodemailer project's smtp-server with STARTTLS
// (a self-signed certificate made by openssl for the test) and AUTH PLAIN/LOGIN required.
// What arrives is parsed with mailparser. It can be stopped and started again on the same
// port (the relay down), and told to refuse recipients (a permanent 550).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestRelay {
  port: number;
  /** PEM of the relay's self-signed certificate (for smtp.caFile). */
  caFile: string;
  user: string;
  passwordFile: string;
  received: { envelopeTo: string[]; authUser: string | undefined; secure: boolean; mail: ParsedMail }[];
  /** Recipients answered with 550. */
  refuse: Set<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Waits until `n` mails arrived (bounded). */
  waitFor(n: number, ms?: number): Promise<void>;
}

export async function startTestRelay(): Promise<TestRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'faxgate-relay-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const user = 'faxgate';
  const password = 'relay-secret-1';
  const passwordFile = join(dir, 'smtp.password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const received: TestRelay['received'] = [];
  const refuse = new Set<string>();
  let port = 0;
  let server: SMTPServer | undefined;

  const make = () =>
    new SMTPServer({
      key: readFileSync(key),
      cert: readFileSync(cert),
      authMethods: ['PLAIN', 'LOGIN'],
      // AUTH only after STARTTLS (allowInsecureAuth false): a client that skips TLS cannot log in.
      allowInsecureAuth: false,
      authOptional: false,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === user && auth.password === password) cb(null, { user: auth.username });
        else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, cb) {
        if (refuse.has(address.address)) cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
        else cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          simpleParser(Buffer.concat(chunks)).then(
            (mail) => {
              received.push({
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                authUser: session.user as string | undefined,
                secure: session.secure,
                mail,
              });
              cb();
            },
            (e) => cb(e),
          );
        });
      },
    });

  const relay: TestRelay = {
    get port() {
      return port;
    },
    caFile: cert,
    user,
    passwordFile,
    received,
    refuse,
    async start() {
      server = make();
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      port = (s.server.address() as { port: number }).port;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async close() {
      await relay.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async waitFor(n, ms = 20_000) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until)
          throw new Error(`relay: ${received.length} of ${n} mails arrived in ${ms} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
  await relay.start();
  return relay;
}
