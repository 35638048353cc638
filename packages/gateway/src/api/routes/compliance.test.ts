// GET /api/v1/compliance/report over real HTTP against a fresh installation: specific
// requirements not met (no review, no lines, no release, no verify), recording a review
// turns M 5.25 met, a scheduled verify clears its part of NET.4.3.A9; audit.read only
// (403 + access.denied otherwise); the read is recorded; HTML escaped and self-contained.
import { beforeAll, describe, expect, it } from 'vitest';
import { scheduledVerify } from '../../review/tasks.js';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture({ cover: { senderOrganisation: '<Acme & Co>' } });

interface Verdict {
  id: string;
  status: string;
  detail: string;
  evidence: Record<string, unknown>;
}

async function report(user = 'audi'): Promise<{ notMet: number; verdicts: Verdict[] }> {
  const r = await client(f, user)('/api/v1/compliance/report');
  expect(r.status).toBe(200);
  return (await r.json()) as { notMet: number; verdicts: Verdict[] };
}
const verdict = (r: { verdicts: Verdict[] }, id: string) => r.verdicts.find((v) => v.id === id) as Verdict;

beforeAll(async () => {
  // the fixture's users logged in: the trail is not empty, as on any installation in use
  expect(await f.db('audit_events').count({ n: '*' })).not.toEqual([{ n: 0 }]);
});

describe('compliance report API', () => {
  it('refuses roles without audit.read with 403 and an access.denied event', async () => {
    for (const user of ['op', 'po', 'alice']) {
      const r = await client(f, user)('/api/v1/compliance/report');
      expect(r.status).toBe(403);
      expect(
        await f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject'),
      ).toMatchObject({
        type: 'access.denied',
        actor: user,
        subject: 'read the compliance report',
      });
    }
  });

  it('names what a fresh installation lacks, one verdict per catalogued requirement', async () => {
    const r = await report();
    expect(r.verdicts.map((v) => v.id)).toEqual([
      'M 2.178',
      'M 2.179',
      'M 2.180',
      'M 4.36',
      'M 4.37',
      'M 4.59',
      'M 5.25',
      'M 5.73',
      'M 5.75',
      'M 6.69',
      ...Array.from({ length: 15 }, (_, i) => `NET.4.3.A${i + 1}`),
    ]);
    expect(verdict(r, 'M 5.25')).toMatchObject({
      status: 'not-met',
      detail: expect.stringMatching(/no log review recorded/),
    });
    expect(verdict(r, 'M 4.59')).toMatchObject({
      status: 'not-met',
      detail: expect.stringMatching(/no lines configured/),
    });
    expect(verdict(r, 'M 5.73')).toMatchObject({
      status: 'not-met',
      detail: expect.stringMatching(/no release recorded .*; no selftest recorded/),
    });
    expect(verdict(r, 'NET.4.3.A9').detail).toMatch(/no audit verify recorded/);
    // what the fixture has: a post office user and mailbox, premium and international blocked
    expect(verdict(r, 'M 2.180').status).toBe('met');
    expect(verdict(r, 'M 4.36')).toMatchObject({
      status: 'met',
      evidence: { blockKinds: ['premium', 'international'] },
    });
    expect(verdict(r, 'NET.4.3.A2').status).toBe('organisational');
    expect(r.notMet).toBe(r.verdicts.filter((v) => v.status === 'not-met').length);
    expect(r.notMet).toBeGreaterThan(3);
    expect(
      await f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details'),
    ).toMatchObject({
      type: 'audit.read',
      actor: 'audi',
      subject: 'compliance-report',
      details: { format: 'json', notMet: r.notMet },
    });
  });

  it('turns M 5.25 met once a review is recorded, and A9 loses its verify problem after a verify', async () => {
    const before = await report();
    const to = new Date().toISOString();
    const from = new Date(Date.now() - 7 * 24 * 3600_000).toISOString();
    const posted = await client(f, 'audi')('/api/v1/audit/reviews', {
      method: 'POST',
      json: { from, to, note: 'weekly' },
    });
    expect(posted.status).toBe(201);
    const after = await report();
    expect(verdict(after, 'M 5.25')).toMatchObject({
      status: 'met',
      detail: '',
      evidence: { lastReview: { reviewer: 'audi' } },
    });
    expect(after.notMet).toBe(before.notMet - 1);

    await scheduledVerify(f.db, f.config.audit, 'gateway:test');
    const verified = await report('admin');
    expect(verdict(verified, 'NET.4.3.A9').detail).not.toMatch(/audit verify/);
    expect(verdict(verified, 'NET.4.3.A9').evidence).toMatchObject({ lastVerify: { ok: true } });
  });

  it('answers one escaped, self-contained HTML page', async () => {
    const r = await client(f, 'audi')('/api/v1/compliance/report?format=html');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await r.text();
    expect(html).toContain('NOT MET');
    expect(html).toContain('&lt;Acme &amp; Co&gt;');
    expect(html).not.toContain('<Acme');
    expect(html).not.toMatch(/<(script|link|img)\b|\b(src|href)=/i);
  });
});
