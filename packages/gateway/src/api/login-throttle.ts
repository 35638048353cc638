// Slows password guessing: after `maxFailures` failed logins for one user name from one
// address within the window, further attempts are refused (429) until the window passes.
// In memory on purpose: it protects this process's argon2 time too; the audit trail keeps
// every failure (auth.failed) for the record.

export interface LoginThrottle {
  /** Seconds until the next attempt is allowed, or 0. */
  blockedFor(user: string, addr: string, now?: number): number;
  failed(user: string, addr: string, now?: number): void;
  succeeded(user: string, addr: string): void;
}

export function createLoginThrottle(
  maxFailures = 5,
  windowMs = 15 * 60_000,
  maxKeys = 10_000,
): LoginThrottle {
  const failures = new Map<string, number[]>();
  const key = (user: string, addr: string) => `${addr}\u0000${user.toLowerCase()}`;
  const recent = (k: string, now: number) => (failures.get(k) ?? []).filter((t) => now - t < windowMs);
  return {
    blockedFor(user, addr, now = Date.now()) {
      const times = recent(key(user, addr), now);
      if (times.length < maxFailures) return 0;
      return Math.ceil((times[0] + windowMs - now) / 1000);
    },
    failed(user, addr, now = Date.now()) {
      const k = key(user, addr);
      // Bounded memory under a flood of distinct names: forget the oldest entry.
      if (!failures.has(k) && failures.size >= maxKeys)
        failures.delete(failures.keys().next().value as string);
      failures.set(k, [...recent(k, now), now].slice(-maxFailures));
    },
    succeeded(user, addr) {
      failures.delete(key(user, addr));
    },
  };
}
