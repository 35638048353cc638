import { describe, expect, it } from 'vitest';
import { dmarcVerdict, type HeaderLine, headerLinesOf, machineMade } from './headers.js';

const h = (...lines: string[]): HeaderLine[] =>
  headerLinesOf(lines.map((line) => ({ key: line.slice(0, line.indexOf(':')).toLowerCase(), line })));
const opts = { ownMessageIdDomains: ['faxgate.example.org'], maxReceived: 5 };
const person = [
  'From: Alice <alice@example.org>',
  'To: +4930123@fax.example.org',
  'Message-ID: <1@example.org>',
];

describe('machineMade', () => {
  it('lets a person’s mail through, including Auto-Submitted: no', () => {
    expect(machineMade(h(...person), opts)).toBeUndefined();
    expect(machineMade(h(...person, 'Auto-Submitted: no'), opts)).toBeUndefined();
  });

  it.each([
    [['Return-Path: <>'], 'bounce'],
    [['Content-Type: multipart/report; report-type=delivery-status; boundary="x"'], 'bounce'],
    [['Content-Type: multipart/report;\r\n report-type="disposition-notification"'], 'bounce'],
    [['Auto-Submitted: auto-replied'], 'auto-reply'],
    [['Auto-Submitted: auto-generated'], 'auto-reply'],
    [['X-Autoreply: yes'], 'auto-reply'],
    [['X-Autorespond: vacation'], 'auto-reply'],
    [['Precedence: bulk'], 'auto-reply'],
    [['Precedence: junk'], 'auto-reply'],
    [['Precedence: list'], 'auto-reply'],
    [['List-Id: <news.example.org>'], 'auto-reply'],
    [['X-Faxgate-Fax: 12'], 'loop'],
  ] as const)('%s → %s', (extra, kind) => {
    expect(machineMade(h(...person, ...extra), opts)?.kind).toBe(kind);
  });

  it('knows a mailer daemon and our own Message-ID domain', () => {
    expect(machineMade(h('From: MAILER-DAEMON@mx.example.org', 'Subject: failure'), opts)?.kind).toBe(
      'bounce',
    );
    expect(machineMade(h('From: Mail Delivery <postmaster@example.org>'), opts)?.kind).toBe('bounce');
    expect(machineMade(h('From: a@example.org', 'Message-ID: <77.x@faxgate.example.org>'), opts)?.kind).toBe(
      'loop',
    );
  });

  it('counts Received headers: a loop beyond the bound', () => {
    const received = Array.from({ length: 6 }, (_, i) => `Received: from hop${i} by hop${i + 1}`);
    expect(machineMade(h(...person, ...received.slice(0, 5)), opts)).toBeUndefined();
    expect(machineMade(h(...person, ...received), opts)).toEqual({ kind: 'loop', why: '6 Received headers' });
  });
});

describe('dmarcVerdict', () => {
  const trusted = 'mx.example.org';
  it('passes on dmarc=pass in the topmost header of the trusted relay, comments ignored', () => {
    const v = dmarcVerdict(
      h(
        ...person,
        'Authentication-Results: mx.example.org; spf=pass; dkim=pass;\r\n dmarc=pass (p=reject) header.from=example.org',
      ),
      trusted,
    );
    expect(v).toEqual({ ok: true });
  });

  it('ignores headers of other authserv-ids: a forged pass does not count', () => {
    const v = dmarcVerdict(
      h(
        ...person,
        'Authentication-Results: evil.example; dmarc=pass',
        'Authentication-Results: mx.example.org; dmarc=fail',
      ),
      trusted,
    );
    expect(v).toEqual({ ok: false, why: 'dmarc=fail' });
    expect(dmarcVerdict(h(...person, 'Authentication-Results: evil.example; dmarc=pass'), trusted)).toEqual({
      ok: false,
      why: 'no Authentication-Results from mx.example.org',
    });
  });

  it('takes the topmost of the trusted relay’s headers (a lower one may be the sender’s)', () => {
    const v = dmarcVerdict(
      h(
        ...person,
        'Authentication-Results: mx.example.org; dmarc=none',
        'Authentication-Results: mx.example.org; dmarc=pass',
      ),
      trusted,
    );
    expect(v).toEqual({ ok: false, why: 'dmarc=none' });
  });

  it('refuses a second From (alignment faked) and a header without a DMARC result', () => {
    const ar = 'Authentication-Results: mx.example.org; dmarc=pass';
    expect(dmarcVerdict(h(...person, 'From: boss@example.org', ar), trusted)).toEqual({
      ok: false,
      why: '2 From headers',
    });
    expect(dmarcVerdict(h(...person, 'Authentication-Results: mx.example.org; spf=pass'), trusted).ok).toBe(
      false,
    );
  });
});
