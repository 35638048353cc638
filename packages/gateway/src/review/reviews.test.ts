// Review records, the overdue reminder and the scheduled verify against real PostgreSQL:
// the application role may append and read reviews but never change them; the alerts are
// raised and cleared; a tampered trail fails the scheduled verify and raises a critical alert.
import { randomBytes } from 'node:crypto';
import {
  appendAuditEvent,
  auditMigrations,
  migrateAndGrant,
  sealAuditTrail,
  setupRoles,
} from '@faxgate/audit';
import { type Knex, openDatabase, users } from '@faxgate/store';
import { DEFAULT_DATABASE_URL, type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlerts } from '../alerts/index.js';
import { lastReview, recordReview, reviewDue } from './reviews.js';
import { checkReviewDue, REVIEW_ALERT_KEY, reviewTasks, scheduledVerify, VERIFY_ALERT_KEY } from './tasks.js';

const tag = randomBytes(4).toString('hex');
const ownerRole = `fg_r_owner_${tag}`;
const appRole = `fg_r_app_${tag}`;
const DAY = 24 * 3600_000;

let t: MigratedTestDb;
let app: Knex;
let owner: Knex;
let auditorId: number;

function as(role: string): Knex {
  const u = new URL(t.db.url);
  u.username = role;
  u.password = '';
  return openDatabase(u.toString(), { poolMax: 2 });
}

const noCheckpoints = {
  checkpointDir: '/nonexistent/faxgate-test-checkpoints',
  checkpointKeyFile: '/nonexistent/key',
};

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 4 });
  await setupRoles(t.knex, { database: t.db.name, ownerRole, appRole });
  owner = as(ownerRole);
  app = as(appRole);
  await migrateAndGrant(owner, appRole);
  auditorId = (await users.add(app, { name: 'audi', roles: ['auditor'] })).id;
}, 60_000);

afterAll(async () => {
  await app?.destroy();
  await owner?.destroy();
  await t?.close();
  const root = openDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, { poolMax: 1 });
  try {
    await root.raw(`DROP ROLE IF EXISTS ${appRole}`);
    await root.raw(`DROP ROLE IF EXISTS ${ownerRole}`);
  } finally {
    await root.destroy();
  }
});

describe('log reviews', () => {
  it('are recorded by the application role with an audit.review event, and never changed', async () => {
    const from = new Date(Date.now() - 8 * DAY);
    const to = new Date(Date.now() - DAY);
    const r = await recordReview(app, {
      from,
      to,
      note: 'checked the rejections of last week',
      reviewer: { id: auditorId, name: 'audi' },
      via: 'cli',
    });
    expect(r).toMatchObject({ from, to, reviewer: 'audi', note: 'checked the rejections of last week' });
    expect((await lastReview(app))?.id).toBe(r.id);
    const ev = await t.knex('audit_events').where({ type: 'audit.review' }).first();
    expect(ev).toMatchObject({ actor: 'audi', subject: `review:${r.id}` });
    expect(ev.details).toEqual({ from: from.toISOString(), to: to.toISOString(), via: 'cli' });
    // the application role: by privilege; the owner and a superuser: by trigger
    for (const db of [app, owner, t.knex]) {
      await expect(
        db.raw(`UPDATE audit_reviews SET note = 'nothing' WHERE id = ?`, [r.id]),
      ).rejects.toMatchObject({
        code: '42501',
      });
      await expect(db.raw('DELETE FROM audit_reviews')).rejects.toMatchObject({ code: '42501' });
    }
    await expect(app.raw('TRUNCATE audit_reviews')).rejects.toMatchObject({ code: '42501' });
    expect(await t.knex('audit_reviews').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('refuses a bad period or note', async () => {
    const reviewer = { id: auditorId, name: 'audi' };
    const now = Date.now();
    for (const [from, to, note, msg] of [
      [new Date(now - DAY), new Date(now - 2 * DAY), 'x', /before it ends/],
      [new Date(now - 400 * DAY), new Date(now - DAY), 'x', /366 days/],
      [new Date(now - DAY), new Date(now + DAY), 'x', /future/],
      [new Date(now - 2 * DAY), new Date(now - DAY), '  ', /needs a note/],
    ] as const) {
      await expect(recordReview(app, { from, to, note, reviewer, via: 'api' })).rejects.toThrow(msg);
    }
  });

  it('raises the overdue alert once the interval has passed, and clears it after a review', async () => {
    // the last review ended a day ago: with a 7-day interval nothing is due
    expect(await checkReviewDue(app, 7, 'gateway:test')).toMatch(/not due/);
    expect(await openAlerts(app, REVIEW_ALERT_KEY)).toEqual([]);
    // eight days later it is overdue: one alert, raised once
    const later = new Date(Date.now() + 8 * DAY);
    expect((await reviewDue(app, 7, later)).overdue).toBe(true);
    expect(await checkReviewDue(app, 7, 'gateway:test', later)).toMatch(/overdue/);
    await checkReviewDue(app, 7, 'gateway:test', later);
    expect(await openAlerts(app, REVIEW_ALERT_KEY)).toMatchObject([
      { severity: 'warning', source: 'log-review' },
    ]);
    expect(
      await t.knex('audit_events').where({ type: 'alert.raised', subject: `alert:${REVIEW_ALERT_KEY}` }),
    ).toHaveLength(1);
    // a review up to now: cleared
    await recordReview(app, {
      from: new Date(Date.now() - DAY),
      to: new Date(),
      note: 'weekly review',
      reviewer: { id: auditorId, name: 'audi' },
      via: 'api',
    });
    await checkReviewDue(app, 7, 'gateway:test');
    expect(await openAlerts(app, REVIEW_ALERT_KEY)).toEqual([]);
    expect(
      await t.knex('audit_events').where({ type: 'alert.cleared', subject: `alert:${REVIEW_ALERT_KEY}` }),
    ).toHaveLength(1);
  });

  it('verifies the trail on schedule: records audit.verify, alerts on a tampered chain', async () => {
    const ok = await scheduledVerify(app, noCheckpoints, 'gateway:test');
    expect(ok).toMatchObject({ ok: true, checkpoints: 0 });
    expect(ok.checked).toBeGreaterThan(3);
    const last = await t.knex('audit_events').where({ type: 'audit.verify' }).orderBy('id', 'desc').first();
    expect(last.details).toMatchObject({ ok: true, scheduled: true });
    expect(await openAlerts(app, VERIFY_ALERT_KEY)).toEqual([]);

    await app.transaction((trx) => appendAuditEvent(trx, { type: 'system.start', actor: 'victim' }));
    await sealAuditTrail(t.knex);
    await t.knex.transaction(async (trx) => {
      await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
      await trx.raw(`UPDATE audit_events SET actor = 'mallory' WHERE actor = 'victim'`);
      await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER USER');
    });
    const bad = await scheduledVerify(app, noCheckpoints, 'gateway:test');
    expect(bad.ok).toBe(false);
    expect(bad.problem).toMatch(/altered/);
    expect(await openAlerts(app, VERIFY_ALERT_KEY)).toMatchObject([
      { severity: 'critical', source: 'audit-verify' },
    ]);
  });

  it('gives the daemon two tasks: the hourly review check and the verify at the configured interval', () => {
    const config = { review: { intervalDays: 7, verifyIntervalMinutes: 90 }, audit: noCheckpoints };
    expect(reviewTasks(app, () => config, 'gateway:test').map((x) => [x.name, x.intervalMs])).toEqual([
      ['review-due', 3600_000],
      ['audit-verify', 90 * 60_000],
    ]);
  });
});
