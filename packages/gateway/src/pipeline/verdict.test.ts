import type { CauseClass } from '@faxgate/capi-bindings';
import { describe, expect, it } from 'vitest';
import { type CallSummary, judgeCall, retryClassOf } from './verdict.js';

const settings = {
  maxDials: 12,
  maxTries: 3,
  retryDelayMs: { busy: 180_000, noAnswer: 300_000, protocol: 60_000, other: 300_000 },
};
const now = new Date('2026-01-01T10:00:00Z');
const call = (cls: CauseClass, extra: Partial<CallSummary> = {}): CallSummary => ({
  ok: false,
  pages: 0,
  connected: false,
  aborted: false,
  cause: { name: cls, class: cls },
  ...extra,
});
const fax = (extra: Partial<Parameters<typeof judgeCall>[1]> = {}) => ({
  dials: 1,
  tries: 0,
  pagesTotal: 2,
  killAt: new Date(now.getTime() + 3 * 3600_000),
  stopped: false,
  ...extra,
});

describe('judgeCall (HylaFAX scheduler rules)', () => {
  it('is done only when every page was confirmed', () => {
    expect(judgeCall(call('ok', { ok: true, pages: 2, connected: true }), fax(), settings, now).kind).toBe(
      'done',
    );
    const short = judgeCall(
      call('ok', { ok: true, pages: 1, connected: true }),
      fax({ tries: 1 }),
      settings,
      now,
    );
    expect(short).toMatchObject({ kind: 'retry', retryClass: 'protocol', reason: '1 of 2 pages confirmed' });
    const none = judgeCall(
      call('ok', { ok: true, pages: 0, connected: true }),
      fax({ tries: 1 }),
      settings,
      now,
    );
    expect(none.kind).toBe('retry');
  });

  it('requeues per cause class with the configured delays', () => {
    const at = (cls: CauseClass) => {
      const v = judgeCall(call(cls), fax(), settings, now);
      return v.kind === 'retry' ? v.notBefore.getTime() - now.getTime() : v.kind;
    };
    expect(at('busy')).toBe(180_000);
    expect(at('no-answer')).toBe(300_000);
    expect(at('protocol-error')).toBe(60_000);
    expect(at('line-error')).toBe(300_000);
    expect(at('not-a-fax')).toBe(300_000);
    expect(at('local-error')).toBe(300_000);
    expect(at('rejected')).toBe('failed'); // the number itself was refused: dialling again cannot help
  });

  it('stops at maxDials, maxTries and the kill time', () => {
    expect(judgeCall(call('busy'), fax({ dials: 12 }), settings, now)).toMatchObject({
      kind: 'failed',
      code: 'max-dials',
    });
    expect(
      judgeCall(call('protocol-error', { connected: true }), fax({ tries: 3 }), settings, now),
    ).toMatchObject({
      kind: 'failed',
      code: 'max-tries',
    });
    const killAt = new Date(now.getTime() + 100_000);
    expect(judgeCall(call('busy'), fax({ killAt }), settings, now)).toMatchObject({
      kind: 'failed',
      code: 'kill-time',
    });
  });

  it('a stopped call fails as stopped, whatever its cause', () => {
    expect(judgeCall(call('busy', { aborted: true }), fax(), settings, now)).toMatchObject({
      code: 'stopped',
    });
    expect(judgeCall(call('no-answer'), fax({ stopped: true }), settings, now)).toMatchObject({
      code: 'stopped',
    });
  });

  it('counts pages confirmed in earlier calls: a resumed call that sends the rest is done', () => {
    const rest = call('ok', { ok: true, pages: 2, connected: true });
    expect(judgeCall(rest, fax({ pagesTotal: 5, pagesBefore: 3 }), settings, now).kind).toBe('done');
    const short = judgeCall(
      call('protocol-error', { pages: 3, connected: true }),
      fax({ pagesTotal: 5, tries: 1 }),
      settings,
      now,
    );
    expect(short).toMatchObject({
      kind: 'retry',
      reason: 'protocol-error (protocol-error); 3 of 5 pages confirmed',
    });
  });

  it('requeues a call cut by the gateway stopping (never failed, never stopped), done if every page went', () => {
    const cut = call('local-error', { aborted: true, pages: 2, connected: true });
    expect(
      judgeCall(cut, fax({ pagesTotal: 8, shutdown: true, tries: 3, dials: 12 }), settings, now),
    ).toEqual({
      kind: 'requeue',
      reason: 'gateway stopped during the call; 2 of 8 pages confirmed',
    });
    const all = call('local-error', { aborted: true, pages: 3, connected: true });
    expect(judgeCall(all, fax({ pagesTotal: 8, pagesBefore: 5, shutdown: true }), settings, now).kind).toBe(
      'done',
    );
    // a person's stop wins over the shutdown
    expect(
      judgeCall(cut, fax({ pagesTotal: 8, stopped: true, shutdown: true }), settings, now),
    ).toMatchObject({ code: 'stopped' });
  });

  it('falls back to standard resolution once, at once, even after the last try', () => {
    const refused = call('protocol-error', { connected: true, fineRefused: true });
    const v = judgeCall(refused, fax({ tries: 3 }), settings, now);
    expect(v).toMatchObject({ kind: 'retry', fallback: 'standard', notBefore: now });
    expect(judgeCall(refused, fax({ tries: 1, fellBack: true }), settings, now)).toMatchObject({
      kind: 'retry',
      notBefore: new Date(now.getTime() + 60_000),
    });
    expect(judgeCall(refused, fax({ tries: 1, fellBack: true }), settings, now)).not.toHaveProperty(
      'fallback',
    );
    expect(judgeCall(refused, fax({ tries: 3, fellBack: true }), settings, now)).toMatchObject({
      code: 'max-tries',
    });
  });

  it('maps cause classes to HylaFAX requeue classes', () => {
    expect(
      ['busy', 'no-answer', 'protocol-error', 'line-error'].map((c) => retryClassOf(c as CauseClass)),
    ).toEqual(['busy', 'noAnswer', 'protocol', 'other']);
  });
});
