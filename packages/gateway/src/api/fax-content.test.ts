// Fax content answers: nosniff, no-store, a disposition named from ids only (TIFF always an
// attachment); JSON answers a deny-all CSP; /docs a self-only CSP under which every asset
// the page loads is served here. A fax in no mailbox is spool data: readable only with
// spool.access (admin, postoffice), refused and recorded (access.denied) otherwise.
import { faxes, faxPages } from '@faxgate/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, testTiff, useApiFixture } from '../test-support/api-fixture.js';
import { DOCS_CSP } from './server.js';

const f = useApiFixture();
let inFax = 0;
let orphan = 0;

beforeAll(async () => {
  const a = await faxes.insert(f.db, {
    direction: 'in',
    state: 'received',
    mailboxId: f.salesIn,
    pagesTotal: 1,
  });
  await faxPages.add(f.db, a.id, { pageNo: 1, tiff: testTiff(1) });
  inFax = a.id;
  const b = await faxes.insert(f.db, { direction: 'out', state: 'done', mailboxId: null, pagesTotal: 1 });
  await faxPages.add(f.db, b.id, { pageNo: 1, tiff: testTiff(1) });
  orphan = b.id;
});

function expectContentHeaders(r: Response, type: string, disposition: string) {
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe(type);
  expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  expect(r.headers.get('cache-control')).toBe('no-store, private');
  expect(r.headers.get('content-disposition')).toBe(disposition);
}

describe('fax content headers', () => {
  it('page PNG and TIFF, document PDF and TIFF: nosniff, no-store, safe names', async () => {
    const bob = client(f, 'bob');
    expectContentHeaders(
      await bob(`/api/v1/faxes/${inFax}/pages/1`),
      'image/png',
      `inline; filename="fax-${inFax}-page-1.png"`,
    );
    expectContentHeaders(
      await bob(`/api/v1/faxes/${inFax}/pages/1?format=tiff`),
      'image/tiff',
      `attachment; filename="fax-${inFax}-page-1.tif"`,
    );
    expectContentHeaders(
      await bob(`/api/v1/faxes/${inFax}/document`),
      'application/pdf',
      `inline; filename="fax-${inFax}.pdf"`,
    );
    expectContentHeaders(
      await bob(`/api/v1/faxes/${inFax}/document?format=tiff`),
      'image/tiff',
      `attachment; filename="fax-${inFax}.tif"`,
    );
  });

  it('JSON answers, also refusals, are nosniff, no-store and carry a deny-all CSP', async () => {
    for (const r of [
      await client(f, 'bob')(`/api/v1/faxes/${inFax}`),
      await fetch(`${f.base}/api/v1/faxes`),
    ]) {
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});

describe('/docs', () => {
  it('has a self-only CSP, no inline script or style, and every asset it loads answers here', async () => {
    const page = await fetch(`${f.base}/docs/`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(DOCS_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:|\*/);
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
    expect(html).not.toMatch(/<style|style="/);
    const assets = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(5);
    const pageUrl = new URL(page.url);
    for (const a of assets) {
      const u = new URL(a, pageUrl);
      expect(u.origin).toBe(pageUrl.origin); // nothing from elsewhere
      const r = await fetch(u);
      expect(r.status, a).toBe(200);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      await r.arrayBuffer();
    }
    // The initializer loads the spec from ./json, same origin (connect-src 'self').
    const init = await (
      await fetch(new URL('swagger-initializer.js', `${pageUrl.origin}/docs/static/`))
    ).text();
    expect(init).toContain('./json');
    const spec = await fetch(`${f.base}/docs/json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});

describe('spool.access', () => {
  it('a fax in no mailbox: refused to the operator (metadata only) and recorded', async () => {
    const op = client(f, 'op');
    expect((await op(`/api/v1/faxes/${orphan}`)).status).toBe(200); // queue.read: the metadata
    const r = await op(`/api/v1/faxes/${orphan}/document`);
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const denied = await f.db('audit_events').where({ type: 'access.denied', actor: 'op' }).first();
    expect(denied.subject).toBe(`read fax ${orphan} (in no mailbox)`);
    expect(denied.details).toMatchObject({ permission: 'spool.access', via: 'api' });
    expect(await f.db('audit_events').where({ type: 'fax.read', actor: 'op' })).toHaveLength(0);
  });

  it.each(['audi'])('refuses the auditor (%s) too', async (user) => {
    expect((await client(f, user)(`/api/v1/faxes/${orphan}/pages/1`)).status).toBe(403);
    expect(await f.db('audit_events').where({ type: 'access.denied', actor: user })).toHaveLength(1);
  });

  it.each(['po', 'admin'])('lets %s (spool.access) read it, recorded as fax.read', async (user) => {
    const r = await client(f, user)(`/api/v1/faxes/${orphan}/pages/1`);
    expectContentHeaders(r, 'image/png', `inline; filename="fax-${orphan}-page-1.png"`);
    const reads = await f.db('audit_events').where({ type: 'fax.read', actor: user });
    expect(reads.map((e) => e.subject)).toEqual([`fax:${orphan}`]);
  });
});
