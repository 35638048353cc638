// The relay as a health check (issue 19 item 5; checks/): connect, STARTTLS (when required),
// AUTH with the configured login, RSET (the session still answers — nodemailer's public
// no-op command; NOOP itself is not exposed), QUIT. Nothing is sent. Fails with the step
// and the relay's answer, never the password.
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { HealthCheck } from '../checks/checks.js';
import type { SmtpConfig } from './config.js';
import { readSecretFile, smtpOptions } from './transport.js';

/** One step of the session: its callback, or the connection's error or end, whichever comes first. */
function step<T>(conn: SMTPConnection, what: string, run: (cb: (err: Error | null, v?: T) => void) => void) {
  return new Promise<T>((resolve, reject) => {
    const fail = (err: Error) => {
      done();
      reject(Object.assign(err, { step: what }));
    };
    const ended = () => fail(new Error('the relay closed the connection'));
    const done = () => {
      conn.off('error', fail);
      conn.off('end', ended);
    };
    conn.once('error', fail);
    conn.once('end', ended);
    run((err, v) => {
      if (err) return fail(err);
      done();
      resolve(v as T);
    });
  });
}

export function smtpCheck(cfg: () => SmtpConfig): HealthCheck {
  return {
    name: 'smtp',
    async run(signal) {
      const c = cfg();
      const where = `${c.host}:${c.port}`;
      const { auth: _auth, ...options } = await smtpOptions(c);
      const conn = new SMTPConnection(options);
      const abort = () => conn.close();
      signal.addEventListener('abort', abort, { once: true });
      conn.on('error', () => {}); // also reported by the failing step
      try {
        await step(conn, 'connect', (cb) => conn.connect(() => cb(null)));
        if (c.tls !== 'none' && !conn.secure) throw Object.assign(new Error('no TLS'), { step: 'STARTTLS' });
        if (c.user) {
          const pass = await readSecretFile(c.passwordFile, 'SMTP password');
          await step(conn, 'AUTH', (cb) =>
            conn.login({ user: c.user as string, pass }, (err) => cb(err ?? null)),
          );
        }
        await step(conn, 'RSET', (cb) => conn.reset((err) => cb(err ?? null)));
        return `${where}: connected${conn.secure ? ' with TLS' : ''}${c.user ? `, logged in as ${c.user}` : ''}, RSET answered`;
      } catch (e) {
        const err = e as Error & { step?: string; response?: string; code?: string };
        const detail = (err.response ?? err.message).replace(/[\r\n]+/g, ' ').slice(0, 200);
        throw new Error(`${where}: ${err.step ?? 'connect'} failed: ${detail}`);
      } finally {
        signal.removeEventListener('abort', abort);
        conn.quit();
      }
    },
  };
}
