// What a finished call means for its fax: done, dial again later, or failed for good.
// HylaFAX's scheduler rules (prior-art §1.1): requeue delay per dial result, MaxDials counts
// every call, MaxTries only calls that reached the remote fax, kill time ends everything.
import type { CauseClass } from '@faxgate/capi-bindings';
import type { QueueSettings, RetryClass } from './settings.js';

export interface CallSummary {
  ok: boolean;
  pages: number;
  /** The call got past dialling (CONNECT_ACTIVE): it counts as a try. */
  connected: boolean;
  aborted: boolean;
  cause: { name: string; class: CauseClass };
}

export type Verdict =
  | { kind: 'done' }
  | { kind: 'retry'; retryClass: RetryClass; notBefore: Date; reason: string }
  | { kind: 'failed'; code: string; reason: string };

/** Cause classes a second call cannot fix: the network refused the number itself. */
const PERMANENT: ReadonlySet<CauseClass> = new Set(['rejected']);

export function retryClassOf(cls: CauseClass): RetryClass {
  switch (cls) {
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'noAnswer';
    case 'protocol-error':
      return 'protocol';
    default:
      return 'other';
  }
}

/**
 * `dials` and `tries` include the call just made. Success needs every page confirmed by the
 * remote: a call that "ended normally" with fewer pages is a failure with its cause.
 */
export function judgeCall(
  call: CallSummary,
  fax: { dials: number; tries: number; pagesTotal: number; killAt: Date | null; stopped: boolean },
  settings: Pick<QueueSettings, 'maxDials' | 'maxTries' | 'retryDelayMs'>,
  now: Date,
): Verdict {
  if (call.ok && call.pages > 0 && call.pages >= fax.pagesTotal) return { kind: 'done' };
  if (fax.stopped || call.aborted) return { kind: 'failed', code: 'stopped', reason: 'stopped by request' };
  const cause =
    call.ok || call.cause.class === 'ok'
      ? `${call.pages} of ${fax.pagesTotal} pages confirmed`
      : `${call.cause.name} (${call.cause.class})`;
  if (PERMANENT.has(call.cause.class)) return { kind: 'failed', code: call.cause.class, reason: cause };
  if (fax.dials >= settings.maxDials) {
    return { kind: 'failed', code: 'max-dials', reason: `${cause}; ${fax.dials} dials, no more allowed` };
  }
  if (fax.tries >= settings.maxTries) {
    return { kind: 'failed', code: 'max-tries', reason: `${cause}; ${fax.tries} tries, no more allowed` };
  }
  const retryClass = call.ok || call.cause.class === 'ok' ? 'protocol' : retryClassOf(call.cause.class);
  const notBefore = new Date(now.getTime() + settings.retryDelayMs[retryClass]);
  if (fax.killAt && notBefore.getTime() >= fax.killAt.getTime()) {
    return { kind: 'failed', code: 'kill-time', reason: `${cause}; kill time reached` };
  }
  return { kind: 'retry', retryClass, notBefore, reason: cause };
}
