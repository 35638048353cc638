// The Auditor view (issue 18) in Chromium against the real daemon, PostgreSQL, Redis and
// capi-sim: demo-auditor opens each sub-page (axe clean on each), downloads the send/receive
// log through the page after a fax went out (xferfaxlog lines, the CSV header), marks a
// review (row in audit_reviews, an audit.review event, listed on the page) and reads the
// review report of the period; demo-operator is refused the view by URL and the log by the
// API, both audited.
import fs from 'node:fs';
import { configVersions } from '@faxgate/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../test-support/browser.js';
import { type ConsoleWorld, startConsoleWorld } from './console-world.js';

let cw: ConsoleWorld;
let base: string;
let sentId: number;

beforeAll(async () => {
  cw = await startConsoleWorld();
  base = cw.base;
  // A fax through the simulator, so the log and the review report have a row.
  const sent = await cw.world.submit(0);
  sentId = sent.id;
  const [fax] = await cw.world.waitAllTerminal([sent.id], 90_000);
  if (fax.state !== 'done') throw new Error(`fax ${sent.id} ended ${fax.state}`);
}, 240_000);

afterAll(async () => {
  await cw?.close();
});

async function asAuditor(fn: (page: Page) => Promise<void>): Promise<void> {
  const page = await cw.newPage();
  try {
    await cw.signIn(page, 'demo-auditor');
    await fn(page);
  } finally {
    await page.context().close();
  }
}

const SUB_PAGES = [
  { path: 'trail', name: 'Audit trail', ready: 'table caption >> text=Audit events, newest first' },
  { path: 'log', name: 'Send/receive log', ready: 'a >> text=CSV' },
  { path: 'reviews', name: 'Reviews', ready: 'h3 >> text=Mark a period as reviewed' },
  { path: 'rights', name: 'Rights review', ready: 'table caption >> text=Who holds which right' },
  { path: 'config', name: 'Configuration history', ready: 'table caption >> text=Configuration versions' },
  { path: 'reports', name: 'Lockdown and compliance', ready: 'table caption >> text=BSI requirements' },
] as const;

describe('the auditor view', () => {
  it('demo-auditor opens each sub-page from the secondary navigation; axe finds nothing serious', async () => {
    await asAuditor(async (page) => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Auditor' }).click();
      await page.getByRole('heading', { level: 1, name: 'Auditor' }).waitFor();
      const subnav = page.getByRole('navigation', { name: 'Auditor sections' });
      expect(await subnav.getByRole('link').allTextContents()).toEqual(SUB_PAGES.map((p) => p.name));
      for (const p of SUB_PAGES) {
        await subnav.getByRole('link', { name: p.name }).click();
        await page.waitForURL(`${base}/auditor/${p.path}`);
        await page.getByRole('heading', { level: 2, name: p.name }).waitFor();
        await page.locator(p.ready).first().waitFor();
        expect(await page.getByRole('alert').count(), p.path).toBe(0);
        expect(await seriousViolations(page), p.path).toEqual([]);
      }
      // The chain status: the head is shown, and the lockdown report answered.
      await page.goto(`${base}/auditor/trail`);
      await page.getByText(/Chain head: event \d+/).waitFor();
      await page.goto(`${base}/auditor/reports`);
      await page.locator('[data-lockdown]').waitFor();
    });
  });

  it('speaks German after the switch: Revision, its sections, the table captions', async () => {
    await asAuditor(async (page) => {
      await page.goto(`${base}/auditor/rights`);
      await page.getByRole('button', { name: 'Deutsch' }).click();
      await page.getByRole('heading', { level: 1, name: 'Revision' }).waitFor();
      const subnav = page.getByRole('navigation', { name: 'Bereiche der Revision' });
      expect(await subnav.getByRole('link').allTextContents()).toEqual([
        'Audit-Protokoll',
        'Sende-/Empfangsprotokoll',
        'Prüfungen',
        'Rechteprüfung',
        'Konfigurationshistorie',
        'Lockdown und Compliance',
      ]);
      await page.getByRole('table', { name: 'Wer welches Recht hat, und worüber' }).waitFor();
      await page.getByRole('button', { name: 'English' }).click();
    });
  });

  it('filters the trail by fax: only that fax’s events', async () => {
    await asAuditor(async (page) => {
      await page.goto(`${base}/auditor/trail`);
      await page.getByLabel('Fax number (id)').fill(String(sentId));
      await page.getByRole('button', { name: 'Apply' }).click();
      // The filtered page replaces the unfiltered one: every row is the fax's, and there are some.
      const faxColumn = () => page.locator('tr[data-event] td:nth-child(7)').allTextContents();
      await expect
        .poll(async () => [...new Set(await faxColumn())], { timeout: 15_000 })
        .toEqual([String(sentId)]);
      const types = await page.locator('tr[data-event] td:nth-child(4)').allTextContents();
      expect(types).toEqual(expect.arrayContaining((await cw.world.auditTypes(sentId)).slice(0, 1)));
    });
  });

  it('downloads the send/receive log through the page: xferfaxlog lines and the CSV header', async () => {
    await asAuditor(async (page) => {
      await page.goto(`${base}/auditor/log`);
      const download = async (name: string): Promise<string> => {
        const [d] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('link', { name, exact: true }).click(),
        ]);
        const file = await d.path();
        return fs.readFileSync(file, 'utf8');
      };
      const xfer = (await download('xferfaxlog (HylaFAX+, 20 columns)')).trimEnd().split('\n');
      const sendLines = xfer.filter((l) => l.split('\t')[1] === 'SEND');
      expect(sendLines.length).toBeGreaterThanOrEqual(1);
      for (const l of xfer) expect(l.split('\t')).toHaveLength(20);
      const xfer19 = (await download('xferfaxlog (HylaFAX 6.0, 19 columns)')).trimEnd().split('\n');
      expect(xfer19[0].split('\t')).toHaveLength(19);
      const csv = (await download('CSV')).trimEnd().split('\n');
      expect(csv[0].startsWith('id,time,type,commid')).toBe(true);
      expect(csv.length).toBeGreaterThanOrEqual(2);
      const reads = await cw.world
        .db('audit_events')
        .where({ type: 'log.read', actor: 'demo-auditor' })
        .select('details');
      expect(reads.map((e: { details: { format: string } }) => e.details.format)).toEqual(
        expect.arrayContaining(['xferfaxlog', 'xferfaxlog-19', 'csv']),
      );
    });
  });

  it('marks a review: stored, audited, listed; the review report of the period shows the traffic', async () => {
    await asAuditor(async (page) => {
      await page.goto(`${base}/auditor/reviews`);
      const note = `weekly review ${Date.now()}`;
      await page.getByLabel('Note').fill(note);
      await page.getByRole('button', { name: 'Record the review' }).click();
      const status = page.getByRole('status').filter({ hasText: /Review \d+ recorded/ });
      await status.waitFor();
      const id = Number(/Review (\d+)/.exec((await status.textContent()) ?? '')?.[1]);
      const row = await cw.world.db('audit_reviews').where({ id }).first();
      expect(row).toMatchObject({ note, reviewer: 'demo-auditor' });
      const events = await cw.world
        .db('audit_events')
        .where({ type: 'audit.review', subject: `review:${id}` });
      expect(events).toHaveLength(1);
      expect(events[0].actor).toBe('demo-auditor');
      await page.locator(`tr[data-review="${id}"]`).getByText(note).waitFor();
      // The report of the same (default) period: the fax sent above is in its traffic.
      await page.getByRole('button', { name: 'Show the report' }).click();
      const traffic = page.getByRole('table', { name: 'Faxes per mailbox' });
      await traffic.waitFor();
      expect(await traffic.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
      const reportRead = await cw.world
        .db('audit_events')
        .where({ type: 'audit.read', actor: 'demo-auditor', subject: 'review-report' });
      expect(reportRead.length).toBeGreaterThanOrEqual(1);
      expect(await seriousViolations(page)).toEqual([]);
    });
  });

  it('shows the differences between the two newest configuration versions, readably', async () => {
    // A second version of the daemon's configuration with one key more (as a recorded edit would be).
    const latest = await cw.world.db('config_versions').orderBy('version', 'desc').first();
    const next = await configVersions.record(cw.world.db, {
      author: 'system:e2e',
      authorKind: 'os',
      node: latest.node,
      content: `${latest.content.trimEnd()}\ne2eAuditorMarker: 42\n`,
      comment: 'e2e auditor test',
      reason: 'a change to compare',
    });
    expect(next.changed).toBe(true);
    await asAuditor(async (page) => {
      await page.goto(`${base}/auditor/config`);
      await page.locator(`tr[data-version="${next.version}"]`).getByText('a change to compare').waitFor();
      await page.getByRole('button', { name: 'Show the differences' }).click();
      const changes = page.getByRole('table', {
        name: `Changed keys from version ${latest.version} to version ${next.version}`,
      });
      await changes.waitFor();
      const row = changes.getByRole('row', { name: /e2eAuditorMarker/ });
      expect((await row.getByRole('cell').allTextContents())[1]).toBe('42');
      await page.locator('.diff-add', { hasText: '+e2eAuditorMarker: 42' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
});

describe('a role without audit.read', () => {
  it('demo-operator gets "Not allowed" at /auditor/log, the log API answers 403; both audited', async () => {
    const page = await cw.newPage();
    try {
      await cw.signIn(page, 'demo-operator');
      expect(
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Auditor' }).count(),
      ).toBe(0);
      await page.goto(`${base}/auditor/log`);
      await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
      expect(await page.getByRole('link', { name: 'CSV' }).count()).toBe(0);
      const status = await page.evaluate(async () => (await fetch('/api/v1/log?format=csv')).status);
      expect(status).toBe(403);
      const denied = await cw.world
        .db('audit_events')
        .where({ type: 'access.denied', actor: 'demo-operator' })
        .select('details');
      const details = denied.map((e: { details: Record<string, unknown> }) => e.details);
      expect(details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ view: 'auditor' }),
          expect.objectContaining({ permission: 'log.read' }),
        ]),
      );
    } finally {
      await page.context().close();
    }
  });
});
