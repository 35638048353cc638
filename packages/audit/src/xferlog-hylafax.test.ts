// The exported log read by HylaFAX's own tools: Debian's xferfaxstats and recvstats
// (hylafax-server 6.0.7, unpacked by test-support/hylafax-stats.ts) on a 19-column export of
// rows written through recordXfer with params from the encoder — SEND and RECV, delivered
// and failed, one old row that still holds the bit rate — checked per destination, per
// sender and per speed against what was recorded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditTestDb, auditTestDb } from './test-support/db.js';
import { parseHylafaxStats, runHylafaxStats, type StatsRow } from './test-support/hylafax-stats.js';
import { encodeXferParams, type XferSession, xferDcsText } from './xfer-params.js';
import { exportXferLog, recordXfer, type XferRecord } from './xferlog.js';

// The scripts' own tables: rates by BR code, formats by DF code (their TypRate/TypData columns).
const RATES = [2400, 4800, 7200, 9600, 12000, 14400, 16800, 19200, 21600, 24000, 26400, 28800, 31200, 33600];
const FORMATS: Record<string, string> = {
  mh: '1-D MH',
  mr: '2-D MR',
  uncompressed: '2-D Uncompressed Mode',
  mmr: '2-D MMR',
};
const RANGE = ['-since', '03/01/25 00:00', '-end', '03/31/25 23:59'];

interface Case {
  record: XferRecord;
  /** What the call negotiated (undefined: nothing, params 0). */
  session?: XferSession;
}

let n = 0;
const send = (
  who: string,
  dest: string,
  npages: number,
  conn: number,
  session?: XferSession,
  reason = '',
): Case => ({
  session,
  record: {
    type: 'SEND',
    time: new Date(Date.UTC(2025, 2, 10, 9, n++)),
    commid: `${n}.1`,
    device: 'c1',
    jobid: String(n),
    sender: who,
    owner: who,
    dest,
    remoteStation: 'REMOTE',
    npages,
    jobtimeSeconds: conn + 5,
    conntimeSeconds: conn,
    reason,
  },
});
const recv = (
  tsi: string,
  npages: number,
  conn: number,
  session: XferSession,
  reason = '',
  cid = { name: '', number: '' },
): Case => ({
  session,
  record: {
    type: 'RECV',
    time: new Date(Date.UTC(2025, 2, 11, 14, n++)),
    commid: `r${n}`,
    device: 'capi1',
    jobid: String(n),
    sender: 'fax',
    dest: '4930999',
    remoteStation: tsi,
    npages,
    jobtimeSeconds: conn,
    conntimeSeconds: conn,
    reason,
    cidName: cid.name,
    cidNumber: cid.number,
  },
});

const cases: Case[] = [
  send('alice', '+4930111', 3, 90, { bitRate: 14400, resolution: 'fine', compression: 'mmr', ecm: true }),
  send('alice', '+4930111', 2, 60, { bitRate: 9600 }),
  send('alice', '+4930222', 1, 41, { bitRate: 7200, compression: 'mr' }),
  send(
    'bob',
    '+4930222',
    1,
    45,
    { bitRate: 4800, compression: 'mr' },
    'disconnected during transfer (remote abort) (protocol-error); 1 of 3 pages confirmed',
  ),
  send('bob', '+4930222', 0, 0, undefined, 'no answer (no-answer); 0 of 2 pages confirmed'),
  recv('ACME SALES', 4, 120, { bitRate: 14400, resolution: 'fine' }, '', { name: 'ACME', number: '0301111' }),
  recv('ACME SALES', 2, 61, { bitRate: 9600 }, 'the call ended after page 2 (partial)', {
    name: 'ACME',
    number: '0301112',
  }),
  recv('OTHER', 1, 30, { bitRate: 33600, compression: 'mmr', ecm: true }),
];
// Written before params were packed: the column holds the bit rate, the export packs it.
const oldRow: XferRecord = { ...send('carol', '+4930333', 1, 30).record, params: 12000 };
// Not calls: the tools skip them.
const submit: XferRecord = {
  type: 'SUBMIT',
  time: new Date(Date.UTC(2025, 2, 10, 8)),
  sender: 'alice',
  npages: 9,
  reason: 'Submitted',
};

/** fmtTime of the scripts: m:ss below an hour, h:mm:ss above. */
function clock(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** What the report must say per key, from the records: pages, time on the line, errors, the rate and format with most pages. */
function expected(
  rows: { key: string; npages: number; conn: number; failed: boolean; rate: number; df: string }[],
) {
  const by = new Map<string, typeof rows>();
  for (const r of rows) by.set(r.key, [...(by.get(r.key) ?? []), r]);
  const out = new Map<string, Omit<StatsRow, 'key' | 'cidName' | 'cidNumber'>>();
  for (const [key, rs] of by) {
    const most = <T>(order: T[], of: (r: (typeof rs)[number]) => T) => {
      const pages = order.map((v) => rs.filter((r) => of(r) === v).reduce((a, r) => a + r.npages, 0));
      return order[pages.indexOf(Math.max(...pages))]; // the first of the most, as bestInMap
    };
    out.set(key, {
      pages: rs.reduce((a, r) => a + r.npages, 0),
      time: clock(rs.reduce((a, r) => a + r.conn, 0)),
      errs: rs.filter((r) => r.failed).length,
      typRate: String(most(RATES, (r) => r.rate)),
      typData: most(Object.values(FORMATS), (r) => r.df),
    });
  }
  return out;
}

function facts(c: { record: XferRecord; session?: XferSession }, key: (r: XferRecord) => string) {
  return {
    key: key(c.record),
    npages: c.record.npages ?? 0,
    conn: c.record.conntimeSeconds ?? 0,
    failed: (c.record.reason ?? '') !== '',
    rate: c.session?.bitRate ?? 2400,
    df: FORMATS[c.session?.compression ?? 'mh'],
  };
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

describe("HylaFAX's xferfaxstats and recvstats (Debian hylafax-server) on faxgate's export", () => {
  let t: AuditTestDb;
  let dir: string;
  const logs: Record<'xferfaxlog' | 'xferfaxlog-19', string> = { xferfaxlog: '', 'xferfaxlog-19': '' };
  const sends = [
    ...cases.filter((c) => c.record.type === 'SEND'),
    { record: oldRow, session: { bitRate: 12000 } },
  ];
  const recvs = cases.filter((c) => c.record.type === 'RECV');

  beforeAll(async () => {
    t = await auditTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-xferlog-'));
    const auditor = (await users.add(t.knex, { name: 'aud', roles: ['auditor'] })).id;
    await t.knex.transaction(async (trx) => {
      await recordXfer(trx, submit);
      for (const c of cases) {
        const params = encodeXferParams(c.session);
        await recordXfer(trx, { ...c.record, params, dcs: xferDcsText(params) });
      }
      await recordXfer(trx, oldRow);
    });
    for (const format of ['xferfaxlog', 'xferfaxlog-19'] as const) {
      const out = new Sink();
      await exportXferLog(t.knex, { format, timeZone: 'UTC' }, out, { actor: auditor, actorName: 'aud' });
      logs[format] = path.join(dir, format);
      fs.writeFileSync(logs[format], out.text);
    }
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const report = (tool: 'xferfaxstats' | 'recvstats', args: string[] = [], log = logs['xferfaxlog-19']) =>
    parseHylafaxStats(runHylafaxStats(tool, log, [...args, ...RANGE]), tool);
  const strip = (m: Map<string, StatsRow>) =>
    new Map(
      [...m]
        .filter(([k]) => k !== 'Total')
        .map(([k, { key: _k, cidName: _n, cidNumber: _c, ...v }]) => [k, v]),
    );

  it('xferfaxstats per sender: pages, time on the line, errors, typical rate and format', () => {
    const got = report('xferfaxstats');
    // HylaFAX 6.0 keys a sender as "sender (owner)"
    expect(strip(got)).toEqual(expected(sends.map((c) => facts(c, (r) => `${r.sender} (${r.owner})`))));
    expect(got.get('alice (alice)')).toMatchObject({
      pages: 6,
      time: '3:11',
      errs: 0,
      typRate: '14400',
      typData: '2-D MMR',
    });
    expect(got.get('Total')).toMatchObject({ pages: 8, errs: 2 });
  });

  it('xferfaxstats per destination and per speed', () => {
    expect(strip(report('xferfaxstats', ['-dest']))).toEqual(
      expected(sends.map((c) => facts(c, (r) => r.dest ?? ''))),
    );
    const speed = strip(report('xferfaxstats', ['-speed']));
    expect(speed).toEqual(expected(sends.map((c) => facts(c, () => String(c.session?.bitRate ?? 2400)))));
    // the old row (12000 in params) reads as 12,000 bit/s, not as a packed word
    expect(speed.get('12000')).toMatchObject({ pages: 1 });
  });

  it('recvstats per sender (TSI): pages, time, errors, rate and format, the last caller id', () => {
    const got = report('recvstats');
    expect(strip(got)).toEqual(expected(recvs.map((c) => facts(c, (r) => r.remoteStation ?? ''))));
    expect(got.get('ACME SALES')).toMatchObject({ cidName: 'ACME', cidNumber: '0301112', pages: 6, errs: 1 });
    expect(got.get('OTHER')).toMatchObject({ typRate: '33600', typData: '2-D MMR' });
    expect(strip(report('recvstats', ['-speed']))).toEqual(
      expected(recvs.map((c) => facts(c, () => String(c.session?.bitRate)))),
    );
  });

  it('the 20-column export (HylaFAX+) is the layout these 6.0 scripts do not count', () => {
    expect(fs.readFileSync(logs.xferfaxlog, 'utf8').split('\n')[1].split('\t')).toHaveLength(20);
    expect(report('xferfaxstats', [], logs.xferfaxlog).get('Total')).toMatchObject({ pages: 0 });
    expect(report('recvstats', [], logs.xferfaxlog).get('Total')).toMatchObject({ pages: 0 });
  });
});
