// The send/receive log (M 5.25, NET.4.3.A9): a superset of HylaFAX's xferfaxlog, kept in
// PostgreSQL, exported in HylaFAX's own line format for existing tools, or as CSV/JSONL.
import type { Writable } from 'node:stream';
import { type Db, InvalidInputError, type Knex } from '@faxgate/store';
import { csvLine } from './csv.js';
import { insertAlong, type SqlPart } from './insert-along.js';
import { checkRange, privilegedRead, type Reader } from './privileged-read.js';
import { writeChunk } from './stream.js';
import { decodeXferParams, xferDcsText, xferParamsWord } from './xfer-params.js';
import { pseudonymiseXferRow, type XferPseudonymise } from './xfer-pseudonym.js';

export * from './xfer-params.js';

export const XFER_TYPES = ['SEND', 'RECV', 'CALL', 'SUBMIT', 'UNSENT', 'POLL', 'PROXY', 'PAGE'] as const;
export type XferType = (typeof XFER_TYPES)[number];

/** HylaFAX+'s column 20: totpages/ntries/ndials/totdials/maxdials/tottries/maxtries. */
export interface XferJobInfo {
  totpages: number;
  ntries: number;
  ndials: number;
  totdials: number;
  maxdials: number;
  tottries: number;
  maxtries: number;
}

export interface XferRecord {
  type: XferType;
  /** Start of the session (column 1). */
  time: Date;
  commid?: string;
  /** Line: controller/B-channel (HylaFAX: modem device). */
  device?: string;
  /** Job id (SEND), received file / fax id (RECV). */
  jobid?: string;
  jobtag?: string;
  /** HylaFAX: submitter's mail address (untrusted). `owner` is the authenticated identity. */
  sender?: string;
  /** Dialled number (SEND) or our local number (RECV/CALL). */
  dest?: string;
  /** Remote CSI (SEND) or TSI (RECV). */
  remoteStation?: string;
  /**
   * Negotiated session parameters: HylaFAX's packed word (encodeXferParams), 0 when no
   * session was negotiated. Rows written before it was packed hold the bit rate (see
   * decodeXferParams); exports pack those.
   */
  params?: number;
  npages?: number;
  /** Job time in seconds, set-up and clean-up included. */
  jobtimeSeconds?: number;
  /** Time on the line in seconds. */
  conntimeSeconds?: number;
  /** '' = success, else the error text (SUBMIT: 'Submitted'). */
  reason?: string;
  cidName?: string;
  cidNumber?: string;
  /** Further call ids (written joined by '::'). */
  callIds?: string[];
  /** Authenticated login name of the job owner. */
  owner?: string;
  /** T.30 DCS as HylaFAX logs it (hex bytes, xferDcsText); exports derive it from params when empty. */
  dcs?: string;
  jobinfo?: XferJobInfo | null;
  ownerUserId?: number | null;
  faxId?: number | null;
  mailboxId?: number | null;
  /** Machine-readable result ('ok', 'busy', 'no_answer', CAPI reason 0x…). */
  resultCode?: string;
}

export interface StoredXferRecord extends Required<Omit<XferRecord, 'jobinfo'>> {
  id: number;
  jobinfo: XferJobInfo | null;
  recordedAt: Date;
}

function int(name: string, v: unknown, min = 0): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new InvalidInputError(`xfer log ${name} must be an integer ≥ ${min}`);
  }
  return v;
}

function text(name: string, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new InvalidInputError(`xfer log ${name} must be text`);
  if (v.includes('\0')) throw new InvalidInputError(`xfer log ${name} must not contain NUL`);
  return v;
}

/** Appends one record. Pass the transaction that records the transfer's outcome. */
export async function recordXfer(trx: Db, record: XferRecord): Promise<number> {
  const [row] = await trx('xfer_log').insert(xferRow(record)).returning('id');
  return row.id as number;
}

/**
 * The INSERT of one record for each row of `source`, a CTE of the caller's statement (see
 * insertAlong): it commits with that statement's change, and only if the change matched.
 */
export function xferInsertFrom(source: string, record: XferRecord): SqlPart {
  return insertAlong('xfer_log', source, [xferRow(record)]);
}

/** The xfer_log row of a record, checked. */
function xferRow(record: XferRecord) {
  if (!(XFER_TYPES as readonly string[]).includes(record.type)) {
    throw new InvalidInputError(
      `unknown xfer record type ${JSON.stringify(record.type)} (${XFER_TYPES.join(', ')})`,
    );
  }
  const time = record.time instanceof Date ? record.time : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) throw new InvalidInputError('xfer log time must be a valid Date');
  const ji = record.jobinfo ?? null;
  return {
    time,
    type: record.type,
    commid: text('commid', record.commid),
    device: text('device', record.device),
    jobid: text('jobid', record.jobid),
    jobtag: text('jobtag', record.jobtag),
    sender: text('sender', record.sender),
    dest: text('dest', record.dest),
    remote_station: text('remoteStation', record.remoteStation),
    params: int('params', record.params),
    npages: int('npages', record.npages),
    jobtime_s: int('jobtimeSeconds', record.jobtimeSeconds, Number.MIN_SAFE_INTEGER),
    conntime_s: int('conntimeSeconds', record.conntimeSeconds, Number.MIN_SAFE_INTEGER),
    reason: text('reason', record.reason),
    cid_name: text('cidName', record.cidName),
    cid_number: text('cidNumber', record.cidNumber),
    call_ids: (record.callIds ?? []).map((c, i) => text(`callIds[${i}]`, c)),
    owner: text('owner', record.owner),
    dcs: text('dcs', record.dcs),
    totpages: ji ? int('totpages', ji.totpages) : null,
    ntries: ji ? int('ntries', ji.ntries) : null,
    ndials: ji ? int('ndials', ji.ndials) : null,
    totdials: ji ? int('totdials', ji.totdials) : null,
    maxdials: ji ? int('maxdials', ji.maxdials) : null,
    tottries: ji ? int('tottries', ji.tottries) : null,
    maxtries: ji ? int('maxtries', ji.maxtries) : null,
    owner_user_id: record.ownerUserId ?? null,
    fax_id: record.faxId ?? null,
    mailbox_id: record.mailboxId ?? null,
    result_code: text('resultCode', record.resultCode),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: an xfer_log row
export function toXferRecord(r: any): StoredXferRecord {
  return {
    id: r.id,
    type: r.type,
    time: r.time,
    commid: r.commid,
    device: r.device,
    jobid: r.jobid,
    jobtag: r.jobtag,
    sender: r.sender,
    dest: r.dest,
    remoteStation: r.remote_station,
    params: r.params,
    npages: r.npages,
    jobtimeSeconds: r.jobtime_s,
    conntimeSeconds: r.conntime_s,
    reason: r.reason,
    cidName: r.cid_name,
    cidNumber: r.cid_number,
    callIds: r.call_ids ?? [],
    owner: r.owner,
    dcs: r.dcs,
    jobinfo:
      r.totpages === null
        ? null
        : {
            totpages: r.totpages,
            ntries: r.ntries,
            ndials: r.ndials,
            totdials: r.totdials,
            maxdials: r.maxdials,
            tottries: r.tottries,
            maxtries: r.maxtries,
          },
    ownerUserId: r.owner_user_id,
    faxId: r.fax_id,
    mailboxId: r.mailbox_id,
    resultCode: r.result_code,
    recordedAt: r.recorded_at,
  };
}

// ---------------------------------------------------------------------------------------
// HylaFAX xferfaxlog line format (HylaFAX+ faxd/FaxAcctInfo.c++, man xferfaxlog(5F)).

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Column 1: strftime("%D %H:%M") = MM/DD/YY HH:MM, in `timeZone` (IANA name; default UTC —
 * HylaFAX writes the server's local time, so pass the zone your tools expect).
 */
export function formatXferDate(d: Date, timeZone = 'UTC'): string {
  if (timeZone === 'UTC') {
    return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${pad2(d.getUTCFullYear() % 100)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  }
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: '2-digit',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.month}/${parts.day}/${parts.year} ${parts.hour}:${parts.minute}`;
}

/** HylaFAX fmtTime: H:MM:SS (hours unpadded, at most 99), "0:00:00" below zero, "??:??:??" above 99 h. */
export function formatXferDuration(seconds: number): string {
  const t = Math.trunc(seconds);
  if (!(t >= 0)) return '0:00:00';
  if (t > 99 * 3600) return '??:??:??';
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return `${h}:${pad2(m)}:${pad2(t % 60)}`;
}

/** A quoted text field: tabs (and line breaks, which would end the record) become spaces, `"` becomes `\"`. */
export function quoteXferField(s: string): string {
  return `"${s.replace(/[\t\r\n]/g, ' ').replace(/"/g, '\\"')}"`;
}

/** An unquoted field: tabs and line breaks become spaces. */
function bare(s: string): string {
  return s.replace(/[\t\r\n]/g, ' ');
}

export function formatJobInfo(ji: XferJobInfo | null | undefined): string {
  if (!ji) return '';
  return [ji.totpages, ji.ntries, ji.ndials, ji.totdials, ji.maxdials, ji.tottries, ji.maxtries].join('/');
}

/**
 * One xferfaxlog line, newline-terminated: 20 tab-separated columns (HylaFAX+), or 19 — HylaFAX
 * 6.0's layout without jobinfo, the one Debian's xferfaxstats and recvstats count. params is
 * written packed (an old bit-rate row too) and an empty dcs is derived from it.
 */
export function formatXferfaxlogLine(
  r: XferRecord,
  options: { timeZone?: string; columns?: 19 | 20 } = {},
): string {
  const params = xferParamsWord(r.params ?? 0);
  const cols = [
    formatXferDate(r.time, options.timeZone), // 1 date
    r.type, // 2 type
    bare(r.commid ?? ''), // 3 commid
    bare(r.device ?? ''), // 4 device
    bare(r.jobid ?? ''), // 5 jobid
    quoteXferField(r.jobtag ?? ''), // 6 "jobtag"
    bare(r.sender ?? ''), // 7 sender
    quoteXferField(r.dest ?? ''), // 8 "dest"
    quoteXferField(r.remoteStation ?? ''), // 9 "csi"/"tsi"
    String(params), // 10 params
    String(r.npages ?? 0), // 11 npages
    formatXferDuration(r.jobtimeSeconds ?? 0), // 12 jobtime
    formatXferDuration(r.conntimeSeconds ?? 0), // 13 conntime
    quoteXferField(r.reason ?? ''), // 14 "reason"
    quoteXferField(r.cidName ?? ''), // 15 "CIDName"
    quoteXferField(r.cidNumber ?? ''), // 16 "CIDNumber"
    quoteXferField((r.callIds ?? []).join('::')), // 17 "callid"
    quoteXferField(r.owner ?? ''), // 18 "owner"
    quoteXferField(r.dcs || xferDcsText(params)), // 19 "dcs"
    formatJobInfo(r.jobinfo), // 20 jobinfo
  ];
  if (options.columns === 19) cols.pop();
  return `${cols.join('\t')}\n`;
}

export const XFER_CSV_COLUMNS = [
  'id',
  'time',
  'type',
  'commid',
  'device',
  'jobid',
  'jobtag',
  'sender',
  'dest',
  'remote_station',
  'params',
  'npages',
  'jobtime_s',
  'conntime_s',
  'reason',
  'cid_name',
  'cid_number',
  'call_ids',
  'owner',
  'dcs',
  'totpages',
  'ntries',
  'ndials',
  'totdials',
  'maxdials',
  'tottries',
  'maxtries',
  'owner_user_id',
  'fax_id',
  'mailbox_id',
  'result_code',
] as const;

export const XFER_EXPORT_FORMATS = ['xferfaxlog', 'xferfaxlog-19', 'csv', 'jsonl'] as const;
/** xferfaxlog: 20 columns (HylaFAX+); xferfaxlog-19: HylaFAX 6.0 (Debian's hylafax-server). */
export type XferExportFormat = (typeof XFER_EXPORT_FORMATS)[number];

export interface XferExportQuery {
  /** Inclusive lower bound on `time`. */
  from?: Date;
  /** Exclusive upper bound on `time`. */
  to?: Date;
  /** Only the rows of this fax. */
  faxId?: number;
  format: XferExportFormat;
  /** Zone of the xferfaxlog date column (default UTC). */
  timeZone?: string;
  /** Remote numbers replaced by what this returns (roles that see no numbers); recorded in the read event. */
  pseudonymise?: XferPseudonymise;
  /** Rows per query (default 5,000). */
  batch?: number;
}

/**
 * Streams the send/receive log to `out`. Only holders of `log.read` (auditor, postoffice,
 * admin) may; each read is an audit event (`log.read`) appended in the same transaction
 * as the read — also when writing to `out` fails midway. A refused read is recorded as
 * `access.denied` and throws ForbiddenError.
 */
export async function exportXferLog(
  db: Knex,
  query: XferExportQuery,
  out: Writable,
  who: Reader,
): Promise<{ count: number; eventId: number }> {
  if (!(XFER_EXPORT_FORMATS as readonly string[]).includes(query.format)) {
    throw new InvalidInputError(
      `unknown export format ${JSON.stringify(query.format)} (${XFER_EXPORT_FORMATS.join(', ')})`,
    );
  }
  const range = checkRange(query);
  if (query.timeZone) {
    try {
      formatXferDate(new Date(0), query.timeZone);
    } catch {
      throw new InvalidInputError(`unknown time zone ${JSON.stringify(query.timeZone)}`);
    }
  }
  const { count, eventId } = await privilegedRead(
    db,
    who,
    {
      capability: 'log.read',
      subject: 'xfer_log',
      event: 'log.read',
      details: {
        format: query.format,
        ...range,
        ...(query.faxId === undefined ? {} : { faxId: query.faxId }),
        ...(query.pseudonymise ? { pseudonymised: true } : {}),
      },
      noun: 'the send/receive log',
    },
    (trx) => streamXferLog(trx, query, out),
  );
  return { count, eventId: eventId as number };
}

async function streamXferLog(db: Db, query: XferExportQuery, out: Writable): Promise<number> {
  const batch = Math.max(1, query.batch ?? 5000);
  if (query.format === 'csv') await writeChunk(out, csvLine(XFER_CSV_COLUMNS));
  let count = 0;
  let afterId = 0;
  for (;;) {
    const q = db('xfer_log').where('id', '>', afterId).orderBy('id').limit(batch);
    if (query.from) q.where('time', '>=', query.from);
    if (query.to) q.where('time', '<', query.to);
    if (query.faxId !== undefined) q.where('fax_id', query.faxId);
    const rows = await q;
    for (const stored of rows) {
      const row = query.pseudonymise ? pseudonymiseXferRow(stored, query.pseudonymise) : stored;
      const r = toXferRecord(row);
      const line =
        query.format === 'xferfaxlog' || query.format === 'xferfaxlog-19'
          ? formatXferfaxlogLine(r, {
              timeZone: query.timeZone,
              columns: query.format === 'xferfaxlog' ? 20 : 19,
            })
          : query.format === 'jsonl'
            ? `${JSON.stringify({ ...r, session: decodeXferParams(r.params) })}\n`
            : csvLine(
                XFER_CSV_COLUMNS.map((c) =>
                  c === 'time' ? r.time : c === 'call_ids' ? r.callIds.join('::') : row[c],
                ),
              );
      await writeChunk(out, line);
      count++;
    }
    if (rows.length < batch) return count;
    afterId = rows[rows.length - 1].id;
  }
}
