/** A call's queue of indications: the state machine waits for the next message it can use. */
import type { CapiMessage, MessageName } from '../codec/messages.js';
import { CapiTimeoutError } from '../transport/errors.js';

export class CallAbortedError extends Error {
  override readonly name = 'CallAbortedError';
}

export class CallInbox {
  private readonly queue: CapiMessage[] = [];
  private waiter:
    | { accept: Set<string>; resolve: (m: CapiMessage) => void; reject: (e: Error) => void }
    | undefined;
  private failure: Error | undefined;

  /** The connection died: the current and every later wait fail with `err` at once. */
  fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  push(m: CapiMessage): void {
    if (this.waiter?.accept.has(m.name)) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(m);
      return;
    }
    this.queue.push(m);
  }

  /** Removes and returns queued messages of these names (oldest first). */
  drain(names: readonly MessageName[]): CapiMessage[] {
    const out: CapiMessage[] = [];
    for (let i = 0; i < this.queue.length; ) {
      if (names.includes(this.queue[i].name)) out.push(...this.queue.splice(i, 1));
      else i++;
    }
    return out;
  }

  /** The next message with one of `names`; rejects after `timeoutMs` or when `signal` aborts. */
  next(
    names: readonly MessageName[],
    timeoutMs: number,
    what: string,
    signal?: AbortSignal,
  ): Promise<CapiMessage> {
    const i = this.queue.findIndex((m) => names.includes(m.name));
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    if (this.failure) return Promise.reject(this.failure);
    if (signal?.aborted) return Promise.reject(new CallAbortedError('call stopped'));
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
      };
      const onAbort = () => {
        done();
        reject(new CallAbortedError('call stopped'));
      };
      const timer = setTimeout(() => {
        done();
        reject(new CapiTimeoutError(`${what}: no ${names.join('/')} within ${timeoutMs} ms`));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        accept: new Set(names),
        resolve: (m) => {
          done();
          resolve(m);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
    });
  }
}
