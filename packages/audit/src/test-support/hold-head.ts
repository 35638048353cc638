// Holds the chain head's row lock in a transaction of its own, as a commit does while its WAL
// flush runs, so that tests can make other commits find the head busy.
import type { Knex } from '@faxgate/store';

/** Resolves once the head is held; call the returned function to commit and let it go. */
export async function holdHead(knex: Knex): Promise<() => Promise<void>> {
  let release!: () => void;
  let held!: () => void;
  const isHeld = new Promise<void>((resolve) => {
    held = resolve;
  });
  const done = knex.transaction(async (trx) => {
    await trx.raw('SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE');
    held();
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  });
  await Promise.race([isHeld, done]);
  return async () => {
    release();
    await done;
  };
}

/** Polls `check` every 20 ms until it holds, failing after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
