// The Operations dashboard in Chromium against the real daemon (main-job --daemon), PostgreSQL,
// Redis and capi-sim: the operator sees the queue counts and every B channel; a fax sent over
// the simulator is followed live (its channel sending it, then the queue empty and the sent
// count up) with no reload; a waiting fax is held and released, then stopped, through the
// page and the database agrees; alice is refused the view (by URL, audited); axe finds no
// serious or critical violation on the dashboard.
import { faxes } from '@faxgate/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../test-support/browser.js';
import { type ConsoleWorld, startConsoleWorld } from './console-world.js';

let cw: ConsoleWorld;

beforeAll(async () => {
  cw = await startConsoleWorld();
}, 180_000);

afterAll(async () => {
  await cw?.close();
});

async function openDashboard(user: string): Promise<Page> {
  const page = await cw.newPage();
  await cw.signIn(page, user);
  await page.goto(`${cw.base}/operations`);
  await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Live: changes appear' }).waitFor();
  return page;
}

describe('the Operations dashboard', () => {
  it('shows the queue and the channels, and follows a fax live until it is sent', async () => {
    const page = await openDashboard('demo-operator');
    try {
      await page.getByRole('heading', { level: 2, name: 'Send queue' }).waitFor();
      await page.getByText('No fax waits or is being sent.').first().waitFor();
      await page.getByText('Last 24 h: 0 sent, 0 failed, 0 received.').waitFor();
      const lines = page.getByRole('table', { name: 'Each controller with its line state and B channels' });
      await lines.getByText('Controller 1').waitFor();
      expect(await lines.locator('[data-line-state="up"]').count()).toBeGreaterThan(0);
      expect(await lines.locator('[data-channel-state="idle"]').count()).toBeGreaterThanOrEqual(2);

      // The call may be short: what the channel list showed is recorded in the page as it changes.
      // (A script in the page's own terms: e2e is compiled without the DOM's types.)
      await page.evaluate(`
        window.seen = [];
        new MutationObserver(() => {
          for (const li of document.querySelectorAll('[data-channel-state="sending"]'))
            window.seen.push(li.getAttribute('data-fax') + ': ' + li.textContent);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      `);
      const sent = await cw.world.submit(0);
      // The number as the gateway keeps it (normalised from what was submitted).
      const { remote_number: number } = await cw.world.db('faxes').where({ id: sent.id }).first();
      // Then done: the queue empties and the sent count goes up, without a reload.
      await page.getByText('Last 24 h: 1 sent, 0 failed, 0 received.').waitFor({ timeout: 60_000 });
      await page.locator('[data-queue-empty]').waitFor();
      await page.locator(`[data-channel-state="sending"]`).waitFor({ state: 'detached' });
      expect((await cw.world.db('faxes').where({ id: sent.id }).first()).state).toBe('done');
      // While the call ran its channel said so (pushed by the daemon, not polled).
      const seen = (await page.evaluate('window.seen')) as string[];
      expect(seen.map((x) => x.replace(/ B[0-9]+ /, ' '))).toContain(
        `${sent.id}: sending fax ${sent.id} to ${number}, 0 of 1 pages confirmed`,
      );
      // The chart's current hour counts it (its accessible summary says so).
      await page.getByRole('img', { name: /1 sent, 0 received, 0 failed/ }).waitFor();
    } finally {
      await page.context().close();
    }
  }, 120_000);

  it('holds and releases a waiting fax, then stops it, through the page (the database agrees)', async () => {
    const page = await openDashboard('demo-operator');
    const outbox = await cw.world.db('mailboxes').where({ kind: 'outgoing' }).first();
    // Due tomorrow: it waits (pending) the whole test and is never dialled.
    const fax = await faxes.insert(cw.world.db, {
      direction: 'out',
      state: 'pending',
      mailboxId: Number(outbox.id),
      remoteNumber: '+49301110000',
      pagesTotal: 1,
      notBefore: new Date(Date.now() + 86_400_000),
    });
    const state = async () => (await cw.world.db('faxes').where({ id: fax.id }).first()).state as string;
    try {
      // A fax that appears after the page opened is pushed there (NOTIFY → SSE) within a second.
      const row = page.locator(`tr[data-fax="${fax.id}"]`);
      const t0 = Date.now();
      await row.waitFor({ timeout: 5_000 });
      const latency = Date.now() - t0;
      expect(latency, `new fax shown after ${latency} ms`).toBeLessThan(1_000);
      await page.getByRole('button', { name: `Hold fax ${fax.id}` }).click();
      await page.locator(`tr[data-fax="${fax.id}"][data-state="suspended"]`).waitFor();
      expect(await state()).toBe('suspended');
      await page.getByRole('button', { name: `Release fax ${fax.id}` }).click();
      await page.locator(`tr[data-fax="${fax.id}"][data-state="pending"]`).waitFor();
      expect(await state()).toBe('pending');
      // Stop is confirmed first: cancelling does nothing.
      await page.getByRole('button', { name: `Stop fax ${fax.id}` }).click();
      await page.getByRole('button', { name: 'Cancel' }).click();
      expect(await state()).toBe('pending');
      await page.getByRole('button', { name: `Stop fax ${fax.id}` }).click();
      await page.getByText(`Stop fax ${fax.id}? It leaves the queue for good.`).waitFor();
      await page.getByRole('button', { name: 'Yes, do it' }).click();
      await row.waitFor({ state: 'detached' });
      expect(['pending', 'suspended', 'waiting']).not.toContain(await state());
      // Stopped, it is among the failed faxes; a requeue is refused (it has no pages to send) and the page says why.
      await page.getByRole('button', { name: `Requeue fax ${fax.id}` }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: `Requeue fax ${fax.id} refused: fax ${fax.id} has no pages left to send` })
        .waitFor();
      expect(await state()).toBe('failed');
      const types = (await cw.world.db('audit_events').where({ fax_id: fax.id }).orderBy('id')).map(
        (e) => e.type,
      );
      expect(types).toEqual(expect.arrayContaining(['job.suspend', 'job.resume']));
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('reprioritises a waiting fax and settles one whose outcome is unknown (confirmed)', async () => {
    const page = await openDashboard('demo-operator');
    const outbox = await cw.world.db('mailboxes').where({ kind: 'outgoing' }).first();
    const common = { direction: 'out' as const, mailboxId: Number(outbox.id), pagesTotal: 1 };
    const waiting = await faxes.insert(cw.world.db, {
      ...common,
      state: 'pending',
      remoteNumber: '+49301110001',
      notBefore: new Date(Date.now() + 86_400_000),
    });
    const unknown = await faxes.insert(cw.world.db, {
      ...common,
      state: 'suspended',
      remoteNumber: '+49301110002',
      cause: 'outcome-unknown',
      causeText: 'the gateway stopped during the call',
    });
    const row = async (id: number) => cw.world.db('faxes').where({ id }).first();
    try {
      await page.getByLabel(`Priority of fax ${waiting.id} (0–255)`).fill('42');
      await page.getByRole('button', { name: `Set priority of fax ${waiting.id}` }).click();
      await page.getByText(`Set priority: fax ${waiting.id} done.`).waitFor();
      expect((await row(waiting.id)).priority).toBe(42);
      // An outcome-unknown fax is settled, not released; the decision is confirmed first.
      expect(await page.getByRole('button', { name: `Release fax ${unknown.id}` }).count()).toBe(0);
      await page.getByLabel(`Outcome of fax ${unknown.id}`).selectOption('sent');
      await page.getByRole('button', { name: `Settle fax ${unknown.id}` }).click();
      await page.getByText(`Settle fax ${unknown.id} as “was sent”? This is final.`).waitFor();
      await page.getByRole('button', { name: 'Yes, do it' }).click();
      await page.locator(`tr[data-fax="${unknown.id}"]`).waitFor({ state: 'detached' });
      expect((await row(unknown.id)).state).toBe('done');
      // Leave the queue as found for the next tests.
      await page.getByRole('button', { name: `Stop fax ${waiting.id}` }).click();
      await page.getByRole('button', { name: 'Yes, do it' }).click();
      await page.locator(`tr[data-fax="${waiting.id}"]`).waitFor({ state: 'detached' });
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('shows an error when the server refuses an action', async () => {
    const page = await openDashboard('demo-operator');
    try {
      await page.getByLabel('Requeue failed fax number').fill('999999');
      await page.getByRole('button', { name: 'Requeue', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Requeue fax 999999 refused' }).waitFor();
    } finally {
      await page.context().close();
    }
  });

  it('has no serious or critical accessibility violation (axe-core)', async () => {
    const page = await openDashboard('demo-operator');
    try {
      await page.getByRole('heading', { level: 2, name: 'Disk and health checks' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('shows the auditor no actions (queue.read without queue.manage)', async () => {
    const page = await openDashboard('demo-auditor');
    try {
      await page.getByRole('heading', { level: 2, name: 'Queued faxes' }).waitFor();
      expect(await page.getByLabel('Requeue failed fax number').count()).toBe(0);
      expect(await page.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);
    } finally {
      await page.context().close();
    }
  });

  it('refuses alice (no queue.read) by URL, and the refusal is audited', async () => {
    const page = await cw.newPage();
    try {
      await cw.signIn(page, 'alice');
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link', { name: 'Operations' }).count()).toBe(0);
      await page.goto(`${cw.base}/operations`);
      await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
      const denied = await cw.world
        .db('audit_events')
        .where({ type: 'access.denied', actor: 'alice' })
        .whereRaw(`details->>'view' = 'operations'`);
      expect(denied.length).toBeGreaterThanOrEqual(1);
      // The dashboard's data is refused as well.
      const r = await page.evaluate(async () => (await fetch('/api/v1/console/operations')).status);
      expect(r).toBe(403);
    } finally {
      await page.context().close();
    }
  });
});
