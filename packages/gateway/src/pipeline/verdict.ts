// What a finished call means for its fax: done, dial again later, or failed for good.
// HylaFAX's scheduler rules (prior-art §1.1): requeue delay per dial result, MaxDials counts
// every call, MaxTries only calls that reached the remote fax, kill time ends everything.
import type { CauseClass } from '@faxgate/capi-bindings';
import type { QueueSettings, RetryClass } from './settings.js';

export interface CallSummary {
  ok: boolean;
  /** Pages the remote confirmed in this call (NCPI of DISCONNECT_B3_IND). */
  pages: number;
  /** The call got past dialling (CONNECT_ACTIVE): it counts as a try. */
  connected: boolean;
  aborted: boolean;
  cause: { name: string; class: CauseClass };
  /** Sent at fine resolution, and the remote negotiated standard: it cannot take fine pages. */
  fineRefused?: boolean;
}

export type Verdict =
  | { kind: 'done' }
  | {
      kind: 'retry';
      retryClass: RetryClass;
      notBefore: Date;
      reason: string;
      /** Resend at standard resolution (the remote cannot take fine): once per fax. */
      fallback?: 'standard';
    }
  | { kind: 'failed'; code: string; reason: string }
  /** The gateway stopped during the call: queued again at once, with the confirmed pages counted. */
  | { kind: 'requeue'; reason: string };

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

export interface FaxSummary {
  /** Including the call just made. */
  dials: number;
  /** Including the call just made, when it connected. */
  tries: number;
  pagesTotal: number;
  /** Pages the remote confirmed in earlier calls: this call sent from page pagesBefore + 1. */
  pagesBefore?: number;
  killAt: Date | null;
  /** Stopped by a person (out.stop). */
  stopped: boolean;
  /** Disconnected because this gateway process is stopping (shutdown grace over). */
  shutdown?: boolean;
  /** The fax already fell back to standard resolution once. */
  fellBack?: boolean;
}

/**
 * `dials` and `tries` include the call just made. Success needs every page confirmed by the
 * remote, in this call and earlier ones (a retry sends only the pages not yet confirmed): a
 * call that "ended normally" with fewer pages is a failure with its cause.
 */
export function judgeCall(
  call: CallSummary,
  fax: FaxSummary,
  settings: Pick<QueueSettings, 'maxDials' | 'maxTries' | 'retryDelayMs'>,
  now: Date,
): Verdict {
  const before = fax.pagesBefore ?? 0;
  const confirmed = before + call.pages;
  const all = call.pages > 0 && confirmed >= fax.pagesTotal;
  // Every page confirmed: delivered, also when our own shutdown cut the call after the last MCF.
  if (all && (call.ok || fax.shutdown)) return { kind: 'done' };
  const counted = `${confirmed} of ${fax.pagesTotal} pages confirmed`;
  if (fax.stopped) return { kind: 'failed', code: 'stopped', reason: 'stopped by request' };
  if (fax.shutdown) return { kind: 'requeue', reason: `gateway stopped during the call; ${counted}` };
  if (call.aborted) return { kind: 'failed', code: 'stopped', reason: 'stopped by request' };
  const cause =
    call.ok || call.cause.class === 'ok' ? counted : `${call.cause.name} (${call.cause.class}); ${counted}`;
  if (PERMANENT.has(call.cause.class)) return { kind: 'failed', code: call.cause.class, reason: cause };
  if (fax.dials >= settings.maxDials) {
    return { kind: 'failed', code: 'max-dials', reason: `${cause}; ${fax.dials} dials, no more allowed` };
  }
  if (fax.killAt && fax.killAt.getTime() <= now.getTime()) {
    return { kind: 'failed', code: 'kill-time', reason: `${cause}; kill time reached` };
  }
  // The remote takes standard resolution only: sent again at once at standard, once (not
  // counted against maxTries: the call could not have succeeded at fine).
  if (call.fineRefused && !fax.fellBack) {
    return {
      kind: 'retry',
      retryClass: 'protocol',
      notBefore: now,
      reason: `${cause}; the remote takes standard resolution only: resent at standard`,
      fallback: 'standard',
    };
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
