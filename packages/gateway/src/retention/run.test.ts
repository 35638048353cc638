// Retention against real PostgreSQL and a real archive directory (tmp): the dry run changes
// nothing, a run deletes the payload of what is due only (rules per mailbox and direction),
// archives it first, keeps the record and the send/receive log, respects legal holds, and a
// re-run after a crash between archive and delete loses nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAuditEvent, auditMigrations } from '@faxgate/audit';
import { type Knex, mailboxes, migrate, openDatabase } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishedFax, payloadState } from '../test-support/retention-faxes.js';
import { type RetentionConfig, retentionSchema } from './config.js';
import { clearHold, setHold } from './holds.js';
import { MANIFEST, verifyArchive } from './package.js';
import { runRetention } from './run.js';

let testDb: TestDatabase;
let db: Knex;
let root: string;
let archiveDir: string;
const mb: Record<string, number> = {};

beforeAll(async () => {
  testDb = await createTestDatabase('faxgate_ret');
  db = openDatabase(testDb.url, { poolMax: 4 });
  await migrate(db, auditMigrations);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-retention-'));
  archiveDir = path.join(root, 'archive');
  for (const [name, kind] of [
    ['quick-out', 'outgoing'],
    ['plain-out', 'outgoing'],
    ['fwd-in', 'incoming'],
    ['plain-in', 'incoming'],
  ] as const) {
    mb[name] = (await mailboxes.add(db, { name, kind })).id;
  }
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  await testDb?.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

const rules = (extra: Partial<RetentionConfig> = {}): RetentionConfig =>
  retentionSchema.parse({
    outgoingDays: 30,
    incomingDays: 90,
    mailboxes: [
      { mailbox: 'quick-out', outgoing: 'after-completion' },
      { mailbox: 'fwd-in', incoming: 'after-forwarding' },
      { mailbox: 'gone-box', incoming: 5 },
    ],
    ...extra,
  });

const run = (o: { dryRun?: boolean; archive?: boolean; now?: Date } = {}) =>
  runRetention({
    db,
    retention: rules(),
    archive: { dir: o.archive === false ? undefined : archiveDir },
    actor: 'system:retention',
    dryRun: o.dryRun,
    now: o.now,
  });

async function auditCount(): Promise<number> {
  return Number((await db('audit_events').count({ n: '*' }))[0].n);
}

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

describe('a retention run', () => {
  let ids: Record<string, number>;

  beforeAll(async () => {
    const f = (i: Parameters<typeof finishedFax>[1]) => finishedFax(db, i).then((x) => x.id);
    ids = {
      // due: after-completion, just finished
      quickDone: await f({ direction: 'out', state: 'done', mailboxId: mb['quick-out'], daysAgo: 0.01 }),
      // not due: still waiting to be sent
      quickPending: await f({ direction: 'out', state: 'pending', mailboxId: mb['quick-out'], daysAgo: 0 }),
      // due: 31 days (default 30)
      plainOld: await f({ direction: 'out', state: 'failed', mailboxId: mb['plain-out'], daysAgo: 31 }),
      // not due: 29 days
      plainNew: await f({ direction: 'out', state: 'done', mailboxId: mb['plain-out'], daysAgo: 29 }),
      // due: forwarded (a recorded fax.forward event)
      fwdForwarded: await f({ direction: 'in', state: 'delivered', mailboxId: mb['fwd-in'], daysAgo: 1 }),
      // not due: received long ago but never forwarded
      fwdKept: await f({ direction: 'in', state: 'received', mailboxId: mb['fwd-in'], daysAgo: 400 }),
      // due: 91 days (default 90); not due: 89
      inOld: await f({ direction: 'in', state: 'received', mailboxId: mb['plain-in'], daysAgo: 91 }),
      inNew: await f({ direction: 'in', state: 'received', mailboxId: mb['plain-in'], daysAgo: 89 }),
      // due by age but held: by the fax, and by its mailbox
      heldFax: await f({ direction: 'out', state: 'done', mailboxId: mb['plain-out'], daysAgo: 60 }),
    };
    await db.transaction((trx) =>
      appendAuditEvent(trx, {
        type: 'fax.forward',
        actor: 'alice',
        subject: `fax:${ids.fwdForwarded}`,
        faxId: ids.fwdForwarded,
        mailboxId: mb['fwd-in'],
        details: { to: 'bob' },
      }),
    );
    await setHold(db, { name: 'po' }, { faxId: ids.heldFax }, 'court case 4711');
  });

  it('dry run: lists exactly what is due, held ones counted apart, and changes nothing', async () => {
    const all = Object.values(ids);
    const before = await payloadState(db, all);
    const events = await auditCount();
    const s = await run({ dryRun: true });
    expect(s.faxes.map((x) => x.id).sort((a, b) => a - b)).toEqual(
      [ids.quickDone, ids.plainOld, ids.fwdForwarded, ids.inOld].sort((a, b) => a - b),
    );
    expect(s).toMatchObject({ dryRun: true, due: 4, held: 1, deleted: 0, unknownMailboxes: ['gone-box'] });
    expect(s.faxes.find((x) => x.id === ids.quickDone)?.rule).toBe('after-completion');
    expect(s.faxes.find((x) => x.id === ids.plainOld)?.rule).toBe('days:30');
    expect(await payloadState(db, all)).toEqual(before);
    expect(await auditCount()).toBe(events);
    expect(fs.existsSync(archiveDir)).toBe(false);
  });

  it('deletes only the due payloads, archives each first, keeps records and the log, audits each and the run', async () => {
    const logBefore = await db('xfer_log').count({ n: '*' });
    const s = await run();
    expect(s).toMatchObject({
      dryRun: false,
      due: 4,
      held: 1,
      deleted: 4,
      archived: 4,
      pagesDeleted: 8,
      failed: 0,
    });
    const state = await payloadState(db, Object.values(ids));
    for (const k of ['quickDone', 'plainOld', 'fwdForwarded', 'inOld'])
      expect(state[ids[k]], k).toBe('deleted/0');
    expect(state[ids.quickPending]).toBe('pending/2');
    expect(state[ids.plainNew]).toBe('done/2');
    expect(state[ids.fwdKept]).toBe('received/2');
    expect(state[ids.inNew]).toBe('received/2');
    expect(state[ids.heldFax]).toBe('done/2');
    expect(await db('xfer_log').count({ n: '*' })).toEqual(logBefore);

    const purge = await db('audit_events').where({ type: 'retention.purge', fax_id: ids.plainOld }).first();
    expect(purge).toMatchObject({ actor: 'system:retention', subject: `fax:${ids.plainOld}` });
    expect(purge.details).toMatchObject({
      direction: 'out',
      was: 'failed',
      rule: 'days:30',
      pagesDeleted: 2,
      archive: { package: `fax-${ids.plainOld}` },
    });
    const summary = await db('audit_events').where({ type: 'retention.run' }).orderBy('id', 'desc').first();
    expect(summary.details).toMatchObject({ deleted: 4, archived: 4, held: 1, failed: 0, pagesDeleted: 8 });

    // The packages: 0700/0600, complete, and they verify.
    expect(modeOf(archiveDir)).toBe(0o700);
    const pkg = path.join(archiveDir, `fax-${ids.plainOld}`);
    expect(modeOf(pkg)).toBe(0o700);
    expect(fs.readdirSync(pkg).sort()).toEqual(
      ['MANIFEST.sha256', 'audit.jsonl', 'fax.pdf', 'fax.tif', 'metadata.json', 'xferlog.jsonl'].sort(),
    );
    for (const file of fs.readdirSync(pkg)) expect(modeOf(path.join(pkg, file)), file).toBe(0o600);
    expect(fs.readFileSync(path.join(pkg, 'fax.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    const meta = JSON.parse(fs.readFileSync(path.join(pkg, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'faxgate-archive/1', rule: 'days:30', mailbox: 'plain-out' });
    expect(meta.pages).toHaveLength(2);
    const check = await verifyArchive(archiveDir);
    expect(check.ok).toBe(true);
    expect(check.packages).toHaveLength(4);

    // A forwarded fax's package holds its forward event, chained (seq and hash).
    const fwdAudit = fs.readFileSync(path.join(archiveDir, `fax-${ids.fwdForwarded}`, 'audit.jsonl'), 'utf8');
    const ev = fwdAudit
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ev.map((e) => e.type)).toEqual(['fax.forward']);
    expect(ev[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a re-run deletes nothing more (idempotent)', async () => {
    const s = await run();
    expect(s).toMatchObject({ due: 0, deleted: 0, held: 1 });
  });

  it('never deletes a held fax or a fax of a held mailbox; once cleared, the next run does', async () => {
    const inHeld = await finishedFax(db, {
      direction: 'in',
      state: 'received',
      mailboxId: mb['plain-in'],
      daysAgo: 200,
    });
    await setHold(db, { name: 'po' }, { mailbox: 'plain-in' }, 'audit 2026');
    let s = await run();
    expect(s).toMatchObject({ deleted: 0, held: 2 });
    expect(await payloadState(db, [inHeld.id, ids.heldFax])).toEqual({
      [inHeld.id]: 'received/2',
      [ids.heldFax]: 'done/2',
    });
    await clearHold(db, { name: 'po' }, { mailbox: 'plain-in' });
    await clearHold(db, { name: 'po' }, { faxId: ids.heldFax });
    s = await run();
    expect(s).toMatchObject({ deleted: 2, held: 0 });
    const types = (await db('audit_events').where({ fax_id: ids.heldFax }).orderBy('id')).map((e) => e.type);
    expect(types).toEqual(['retention.hold', 'retention.release', 'retention.purge']);
  });

  it('after a crash between archive and delete, the re-run verifies the package and deletes; a stale temp is removed', async () => {
    const fax = await finishedFax(db, {
      direction: 'out',
      state: 'done',
      mailboxId: mb['plain-out'],
      daysAgo: 45,
    });
    // The crash: the archive step done (package written), the delete not.
    const { packageFiles } = await import('./contents.js');
    const { writePackage } = await import('./package.js');
    const { faxes } = await import('@faxgate/store');
    const files = await packageFiles(db, {
      fax: await faxes.get(db, fax.id),
      mailbox: 'plain-out',
      rule: 'days:30',
      archivedBy: 'system:retention',
      archivedAt: new Date(),
    });
    const written = await writePackage(archiveDir, `fax-${fax.id}`, files);
    fs.mkdirSync(path.join(archiveDir, '.tmp-fax-999-abc'), { mode: 0o700 });
    const s = await run();
    expect(s).toMatchObject({ deleted: 1, archived: 1, failed: 0 });
    expect(fs.existsSync(path.join(archiveDir, '.tmp-fax-999-abc'))).toBe(false);
    const purge = await db('audit_events').where({ type: 'retention.purge', fax_id: fax.id }).first();
    expect(purge.details.archive.manifestSha256).toBe(written.manifestSha256);
  });

  it('a package that exists and does not verify is never overwritten, and its fax is not deleted', async () => {
    const fax = await finishedFax(db, {
      direction: 'out',
      state: 'done',
      mailboxId: mb['plain-out'],
      daysAgo: 45,
    });
    const pkg = path.join(archiveDir, `fax-${fax.id}`);
    fs.mkdirSync(pkg, { mode: 0o700 });
    fs.writeFileSync(path.join(pkg, MANIFEST), 'garbage\n', { mode: 0o600 });
    const s = await run();
    expect(s).toMatchObject({ deleted: 0, failed: 1 });
    expect(s.faxes[0].error).toMatch(/exists and does not verify/);
    expect(await payloadState(db, [fax.id])).toEqual({ [fax.id]: 'done/2' });
    expect(fs.readFileSync(path.join(pkg, MANIFEST), 'utf8')).toBe('garbage\n');
    const summary = await db('audit_events').where({ type: 'retention.run' }).orderBy('id', 'desc').first();
    expect(summary.details).toMatchObject({ failed: 1, failedFaxes: [fax.id] });
    fs.rmSync(pkg, { recursive: true });
    expect((await run()).deleted).toBe(1);
  });

  it('without archive.dir: deletes without a package', async () => {
    const fax = await finishedFax(db, {
      direction: 'out',
      state: 'done',
      mailboxId: mb['quick-out'],
      daysAgo: 0.01,
    });
    const s = await run({ archive: false });
    expect(s).toMatchObject({ deleted: 1, archived: 0, archiveDir: null });
    expect(fs.existsSync(path.join(archiveDir, `fax-${fax.id}`))).toBe(false);
  });
});

describe('archive verify', () => {
  it('catches a flipped byte, a missing file and an unlisted file, naming each', async () => {
    const check = await verifyArchive(archiveDir);
    expect(check.ok).toBe(true);
    const pkg = check.packages[0].dir;
    const pdf = path.join(pkg, 'fax.pdf');
    const bytes = fs.readFileSync(pdf);
    bytes[bytes.length >> 1] ^= 0x01;
    fs.writeFileSync(pdf, bytes);
    let r = await verifyArchive(archiveDir);
    expect(r.ok).toBe(false);
    const bad = r.packages.filter((p) => !p.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0].problems).toEqual([
      expect.stringMatching(/^fax\.pdf: SHA-256 [0-9a-f]{64} differs from the manifest's/),
    ]);
    bytes[bytes.length >> 1] ^= 0x01;
    fs.writeFileSync(pdf, bytes);
    expect((await verifyArchive(pkg)).ok).toBe(true);

    fs.writeFileSync(path.join(pkg, 'extra.txt'), 'x');
    fs.rmSync(path.join(pkg, 'fax.tif'));
    r = await verifyArchive(pkg);
    expect(r.packages[0].problems.sort()).toEqual(['extra.txt: not in MANIFEST.sha256', 'fax.tif: missing']);
  });
});
