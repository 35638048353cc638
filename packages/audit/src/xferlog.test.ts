import { Writable } from 'node:stream';
import { ForbiddenError, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAuditEvents } from './export.js';
import { type AuditTestDb, auditTestDb } from './test-support/db.js';
import { verifyAuditChain } from './verify.js';
import {
  exportXferLog,
  formatXferDate,
  formatXferDuration,
  formatXferfaxlogLine,
  quoteXferField,
  recordXfer,
  type XferRecord,
} from './xferlog.js';

const T = '\t';

const send: XferRecord = {
  type: 'SEND',
  time: new Date('2026-03-04T05:06:59Z'),
  commid: '00000042',
  device: 'capi0/1',
  jobid: '17',
  jobtag: 'Order "A"\tnext',
  sender: 'alice@example.org',
  dest: '+49301234567',
  remoteStation: '+49 30 1234567',
  // packed by hand from the layout (bit 21 version; vr 0–2, br 3–6, wd 9–11, ln 12–13, df 14–15,
  // ec 16, bf 17, st 18–20): fine 1 | 14400 = BR 5 << 3 | MMR 3 << 14 | ECM 1 << 16 | 1 << 21
  params: 1 + (5 << 3) + (3 << 14) + (1 << 16) + (1 << 21),
  npages: 3,
  jobtimeSeconds: 3725,
  conntimeSeconds: 62,
  reason: '',
  owner: 'alice',
  dcs: '00 46 0F 22',
  jobinfo: { totpages: 3, ntries: 1, ndials: 1, totdials: 2, maxdials: 12, tottries: 1, maxtries: 3 },
};

describe('xferfaxlog line format', () => {
  it('SEND: 20 columns exactly as HylaFAX writes them', () => {
    expect(formatXferfaxlogLine(send)).toBe(
      [
        '03/04/26 05:06',
        'SEND',
        '00000042',
        'capi0/1',
        '17',
        '"Order \\"A\\" next"',
        'alice@example.org',
        '"+49301234567"',
        '"+49 30 1234567"',
        '2211881',
        '3',
        '1:02:05',
        '0:01:02',
        '""',
        '""',
        '""',
        '""',
        '"alice"',
        '"00 46 0F 22"',
        '3/1/1/2/12/1/3',
      ].join(T) + '\n',
    );
    expect(formatXferfaxlogLine(send).split(T)).toHaveLength(20);
  });

  it('19 columns (HylaFAX 6.0): the same without jobinfo', () => {
    const line = formatXferfaxlogLine(send, { columns: 19 });
    expect(line).toBe(formatXferfaxlogLine(send).replace(`${T}3/1/1/2/12/1/3\n`, '\n'));
    expect(line.trimEnd().split(T)).toHaveLength(19);
  });

  it('an old row with the bit rate in params is written packed, its DCS derived', () => {
    const line = formatXferfaxlogLine({ ...send, params: 9600, dcs: '' }).split(T);
    // 9600 = BR 3, standard, A4, 1728, MH, no ECM, 0 ms
    expect(line[9]).toBe(String((3 << 3) + (1 << 21)));
    // DCS bits 10 (T.4 receive) and 11 (9600 V.29), 21–23 (0 ms), 24 (extend)
    expect(line[18]).toBe('"00 60 0F 00"');
  });

  it('RECV: caller id, call ids joined by ::, empty jobinfo', () => {
    const line = formatXferfaxlogLine({
      type: 'RECV',
      time: new Date('2001-12-31T23:59:00Z'),
      commid: '00000043',
      device: 'capi0/2',
      jobid: 'fax:99',
      sender: 'fax',
      dest: '4930999',
      remoteStation: 'ACME SALES',
      params: 0,
      npages: 1,
      jobtimeSeconds: 0,
      conntimeSeconds: 41,
      reason: 'RSPREC error/got DCN',
      cidName: 'ACME',
      cidNumber: '0301111',
      callIds: ['99', '4930999'],
    });
    expect(line).toBe(
      `12/31/01 23:59${T}RECV${T}00000043${T}capi0/2${T}fax:99${T}""${T}fax${T}"4930999"${T}"ACME SALES"${T}0${T}1${T}0:00:00${T}0:00:41${T}"RSPREC error/got DCN"${T}"ACME"${T}"0301111"${T}"99::4930999"${T}""${T}""${T}\n`,
    );
  });

  it('SUBMIT with reason Submitted', () => {
    const line = formatXferfaxlogLine({
      type: 'SUBMIT',
      time: new Date('2026-01-02T03:04:05Z'),
      jobid: '18',
      jobtag: 'x',
      sender: 'bob',
      dest: '123',
      npages: 2,
      reason: 'Submitted',
      owner: 'bob',
      jobinfo: { totpages: 2, ntries: 0, ndials: 0, totdials: 0, maxdials: 12, tottries: 0, maxtries: 3 },
    });
    expect(line).toBe(
      `01/02/26 03:04${T}SUBMIT${T}${T}${T}18${T}"x"${T}bob${T}"123"${T}""${T}0${T}2${T}0:00:00${T}0:00:00${T}"Submitted"${T}""${T}""${T}""${T}"bob"${T}""${T}2/0/0/0/12/0/3\n`,
    );
  });

  it('fields: durations, dates in a zone, quoting keeps one line', () => {
    expect(formatXferDuration(0)).toBe('0:00:00');
    expect(formatXferDuration(59)).toBe('0:00:59');
    expect(formatXferDuration(36_000)).toBe('10:00:00');
    expect(formatXferDuration(99 * 3600)).toBe('99:00:00');
    expect(formatXferDuration(99 * 3600 + 1)).toBe('??:??:??');
    expect(formatXferDuration(-5)).toBe('0:00:00');
    expect(formatXferDate(new Date('2026-07-01T22:30:00Z'), 'Europe/Berlin')).toBe('07/02/26 00:30');
    expect(formatXferDate(new Date('2026-01-01T00:00:00Z'), 'America/New_York')).toBe('12/31/25 19:00');
    expect(quoteXferField('a\tb\r\nc "d"')).toBe('"a b  c \\"d\\""');
    const hostile = formatXferfaxlogLine({ ...send, device: 'x\ty', sender: 'evil\nSEND', owner: 'o\tw' });
    expect(hostile.split('\n')).toHaveLength(2);
    expect(hostile.split(T)).toHaveLength(20);
  });
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

describe('send/receive log in PostgreSQL', () => {
  let t: AuditTestDb;
  let auditor: number;
  let po: number;
  let plain: number;
  beforeAll(async () => {
    t = await auditTestDb();
    auditor = (await users.add(t.knex, { name: 'aud', roles: ['auditor'] })).id;
    po = (await users.add(t.knex, { name: 'po', roles: ['postoffice'] })).id;
    plain = (await users.add(t.knex, { name: 'joe' })).id;
    await t.knex.transaction(async (trx) => {
      await recordXfer(trx, send);
      await recordXfer(trx, {
        type: 'RECV',
        time: new Date('2026-03-05T10:00:00Z'),
        dest: '4930999',
        npages: 1,
      });
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores every column and exports the exact xferfaxlog lines; the read is audited', async () => {
    const out = new Sink();
    const r = await exportXferLog(t.knex, { format: 'xferfaxlog' }, out, {
      actor: auditor,
      actorName: 'aud',
    });
    expect(r.count).toBe(2);
    const lines = out.text.split('\n');
    expect(lines[0] + '\n').toBe(formatXferfaxlogLine(send));
    expect(lines[1].startsWith(`03/05/26 10:00${T}RECV`)).toBe(true);
    const { rows } = await t.knex.raw('SELECT * FROM audit_events WHERE id = ?', [r.eventId]);
    expect(rows[0]).toMatchObject({ type: 'log.read', actor: 'aud', actor_id: auditor, subject: 'xfer_log' });
    expect(rows[0].details).toMatchObject({ format: 'xferfaxlog', rows: 2 });
  });

  it('filters by time, exports csv and jsonl', async () => {
    const csv = new Sink();
    await exportXferLog(t.knex, { format: 'csv', from: new Date('2026-03-05T00:00:00Z') }, csv, {
      actor: po,
      actorName: 'po',
    });
    const csvLines = csv.text.trim().split('\r\n');
    expect(csvLines).toHaveLength(2);
    expect(csvLines[0].startsWith('id,time,type,commid')).toBe(true);
    expect(csvLines[1]).toContain('2026-03-05T10:00:00.000Z,RECV');
    const jsonl = new Sink();
    const r = await exportXferLog(t.knex, { format: 'jsonl', to: new Date('2026-03-05T00:00:00Z') }, jsonl, {
      actor: 'aud',
      actorName: 'aud',
    });
    const { rows } = await t.knex.raw('SELECT actor_id FROM audit_events WHERE id = ?', [r.eventId]);
    expect(rows[0].actor_id).toBe(auditor);
    const rec = JSON.parse(jsonl.text.trim());
    expect(rec).toMatchObject({
      type: 'SEND',
      jobtag: 'Order "A"\tnext',
      owner: 'alice',
      jobinfo: send.jobinfo,
      params: 2211881,
      session: { form: 'packed', bitRate: 14400, resolution: 'fine', compression: 'mmr', ecm: true },
    });
  });

  it('exports 19-column lines for HylaFAX 6.0 tools, the read audited with that format', async () => {
    const out = new Sink();
    const r = await exportXferLog(t.knex, { format: 'xferfaxlog-19' }, out, {
      actor: auditor,
      actorName: 'aud',
    });
    const lines = out.text.trimEnd().split('\n');
    expect(lines[0] + '\n').toBe(formatXferfaxlogLine(send, { columns: 19 }));
    expect(lines.map((l) => l.split(T).length)).toEqual([19, 19]);
    const { rows } = await t.knex.raw('SELECT details FROM audit_events WHERE id = ?', [r.eventId]);
    expect(rows[0].details).toMatchObject({ format: 'xferfaxlog-19', rows: 2 });
  });

  it('refuses a plain user and records the attempt', async () => {
    const out = new Sink();
    await expect(
      exportXferLog(t.knex, { format: 'csv' }, out, { actor: plain, actorName: 'joe' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(out.text).toBe('');
    await expect(
      exportXferLog(t.knex, { format: 'xferfaxlog-19' }, out, { actor: plain, actorName: 'joe' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(out.text).toBe('');
    const { rows } = await t.knex.raw(`SELECT type, actor FROM audit_events ORDER BY id DESC LIMIT 1`);
    expect(rows[0]).toEqual({ type: 'access.denied', actor: 'joe' });
  });

  it('refuses an unknown time zone with a typed error, before reading', async () => {
    await expect(
      exportXferLog(t.knex, { format: 'xferfaxlog', timeZone: 'Mars/Olympus' }, new Sink(), {
        actor: auditor,
        actorName: 'aud',
      }),
    ).rejects.toThrow(/unknown time zone "Mars\/Olympus"/);
  });

  it('the log is append-only', async () => {
    await expect(t.knex.raw(`UPDATE xfer_log SET owner = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.knex.raw('DELETE FROM xfer_log')).rejects.toThrow(/append-only/);
  });

  it('exports the audit trail (jsonl, csv) and records who did', async () => {
    const out = new Sink();
    const { count } = await exportAuditEvents(t.knex, { format: 'jsonl' }, out, {
      actor: auditor,
      actorName: 'aud',
    });
    const events = out.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events).toHaveLength(count);
    expect(events[0]).toMatchObject({ seq: 1, type: 'log.read', prevHash: '0'.repeat(64) });
    expect(events[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(events[1].prevHash).toBe(events[0].hash);
    const csv = new Sink();
    await exportAuditEvents(t.knex, { format: 'csv' }, csv);
    expect(csv.text.split('\r\n')[0]).toBe(
      'seq,time,type,actor,actor_id,subject,mailbox_id,fax_id,details,prev_hash,hash',
    );
    await expect(
      exportAuditEvents(t.knex, { format: 'csv' }, new Sink(), { actor: po, actorName: 'po' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await verifyAuditChain(t.knex)).ok).toBe(true);
  });
});
