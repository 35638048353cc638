// Slows password guessing, in PostgreSQL (table login_throttle, store migration 0005):
// shared by every gateway process, kept across restarts, and never evicted by a flood of
// other names — rows only expire. Every login attempt is counted BEFORE its password is
// checked, in one atomic INSERT … ON CONFLICT DO UPDATE … RETURNING, under two keys: the
// user name (across all addresses) and the client address (req.ip — X-Forwarded-For only
// from api.trustedProxies; IPv6 by /64). An attempt over either limit is refused (429)
// without checking the password, so concurrent guesses cannot slip through between a check
// and a count. A successful login clears its name's count and refunds its own address
// attempt.
//
// Failed logins are audited aggregated: at most one `auth.failed` event per key and minute,
// with the number of failures since the previous event (`failures`); failures of attempts
// refused by the address limit are aggregated under the address, so a flood of names from
// one address yields one event a minute. `flush()` writes what is still pending.
import { isIP } from 'node:net';
import { appendAuditEvent } from '@faxgate/audit';
import type { Db } from '@faxgate/store';

export interface ThrottleLimits {
  /** Attempts per user name (all addresses together) within the window. */
  perName: number;
  /** Attempts per client address within the window. */
  perAddress: number;
  windowSeconds: number;
  /** At most one auth.failed event per key within this many seconds. */
  reportSeconds: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perName: 5,
  perAddress: 30,
  windowSeconds: 15 * 60,
  reportSeconds: 60,
};

export type AttemptVerdict =
  | { allowed: true }
  | { allowed: false; retryAfter: number; by: 'name' | 'address' };

export interface LoginThrottle {
  /** Counts an attempt (before the password is checked); refuses it when over a limit. */
  begin(user: string, addr: string): Promise<AttemptVerdict>;
  /** Records a failure (aggregated auth.failed). `by` says which key refused it, if any. */
  failed(user: string, addr: string, reason: string, by?: 'name' | 'address'): Promise<void>;
  /** A successful login: clears the name's count and refunds this attempt of the address. */
  succeeded(user: string, addr: string): Promise<void>;
  /** Writes the auth.failed events still pending and deletes expired rows; returns events written. */
  flush(): Promise<number>;
}

/** The throttle key of a user name: lower case, escaped (any character is safe in the key). */
export function nameKey(user: string): string {
  return `name:${encodeURIComponent(user.slice(0, 64).toLowerCase())}`;
}

/** The throttle key of a client address: IPv4 as is, IPv6 by its /64 (one host has many). */
export function addressKey(addr: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) return `addr:${mapped[1]}`;
  if (isIP(addr) !== 6) return `addr:${addr.slice(0, 64)}`;
  const [head, tail = ''] = addr.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = addr.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `addr:${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function actorOfKey(key: string): string {
  if (key.startsWith('name:')) return decodeURIComponent(key.slice(5)) || '(empty)';
  return `address:${key.slice(5)}`;
}

export function createLoginThrottle(db: Db, limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS): LoginThrottle {
  const window = limits.windowSeconds;
  const report = limits.reportSeconds;

  return {
    async begin(user, addr) {
      const keys = [nameKey(user), addressKey(addr)];
      const { rows } = await db.raw(
        `INSERT INTO login_throttle AS t (key, attempts, window_start)
         VALUES (?, 1, now()), (?, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           attempts = CASE WHEN t.window_start <= now() - make_interval(secs => ?) THEN 1 ELSE t.attempts + 1 END,
           window_start = CASE WHEN t.window_start <= now() - make_interval(secs => ?) THEN now() ELSE t.window_start END
         RETURNING t.key, t.attempts,
           GREATEST(1, CEIL(EXTRACT(EPOCH FROM (t.window_start + make_interval(secs => ?) - now()))))::int AS retry_after`,
        [...keys, window, window, window],
      );
      let retryAfter = 0;
      let by: 'name' | 'address' | null = null;
      for (const r of rows as Array<{ key: string; attempts: number; retry_after: number }>) {
        const isName = r.key === keys[0];
        if (r.attempts <= (isName ? limits.perName : limits.perAddress)) continue;
        retryAfter = Math.max(retryAfter, Number(r.retry_after));
        // Refused by the address: aggregated there, so a flood of names stays one event a minute.
        by = by === 'address' || !isName ? 'address' : 'name';
      }
      const verdict: AttemptVerdict = by === null ? { allowed: true } : { allowed: false, retryAfter, by };
      return verdict;
    },

    async failed(user, addr, reason, by) {
      const key = by === 'address' ? addressKey(addr) : nameKey(user);
      await db.transaction(async (trx) => {
        const { rows } = await trx.raw(
          `WITH old AS (
             SELECT key, unreported,
                    (reported_at IS NULL OR reported_at <= now() - make_interval(secs => ?)) AS due
               FROM login_throttle WHERE key = ? FOR UPDATE)
           UPDATE login_throttle t SET
             reported_at = CASE WHEN old.due THEN now() ELSE t.reported_at END,
             unreported  = CASE WHEN old.due THEN 0 ELSE t.unreported + 1 END,
             last_reason = ?, last_remote = ?
           FROM old WHERE t.key = old.key
           RETURNING old.due, old.unreported`,
          [report, key, reason, addr.slice(0, 64)],
        );
        const row = rows[0] as { due: boolean; unreported: number } | undefined;
        if (row && !row.due) return;
        await appendAuditEvent(trx, {
          type: 'auth.failed',
          actor: by === 'address' ? actorOfKey(key) : user.slice(0, 64) || '(empty)',
          subject: by === 'address' ? actorOfKey(key) : user.slice(0, 64) || '(empty)',
          details: {
            reason,
            remote: addr,
            failures: (row?.unreported ?? 0) + 1,
            aggregatedSeconds: report,
            ...(by === 'address' ? { lastUser: user.slice(0, 64) } : {}),
            via: 'api',
          },
        });
      });
    },

    async succeeded(user, addr) {
      // Two statements, name first: the same order as begin() locks them in (no deadlock).
      await db.raw(`UPDATE login_throttle SET attempts = 0 WHERE key = ?`, [nameKey(user)]);
      await db.raw(`UPDATE login_throttle SET attempts = GREATEST(attempts - 1, 0) WHERE key = ?`, [
        addressKey(addr),
      ]);
    },

    async flush() {
      const written = await db.transaction(async (trx) => {
        const { rows } = await trx.raw(
          `WITH due AS (
             SELECT key, unreported, last_reason, last_remote FROM login_throttle
              WHERE unreported > 0 AND reported_at <= now() - make_interval(secs => ?)
              ORDER BY reported_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
           UPDATE login_throttle t SET unreported = 0, reported_at = now()
             FROM due WHERE t.key = due.key
           RETURNING due.key, due.unreported, due.last_reason, due.last_remote`,
          [report],
        );
        for (const r of rows as Array<{
          key: string;
          unreported: number;
          last_reason: string;
          last_remote: string;
        }>) {
          const actor = actorOfKey(r.key);
          await appendAuditEvent(trx, {
            type: 'auth.failed',
            actor,
            subject: actor,
            details: {
              reason: r.last_reason,
              remote: r.last_remote,
              failures: r.unreported,
              aggregatedSeconds: report,
              via: 'api',
            },
          });
        }
        return rows.length as number;
      });
      await db.raw(
        `DELETE FROM login_throttle WHERE window_start <= now() - make_interval(secs => ?) AND unreported = 0`,
        [window],
      );
      return written;
    },
  };
}
