// Faxes (jobs and received documents) and their pages. Minimal helpers the pipeline builds on.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../db.js';
import { InvalidInputError, NotFoundError, StateConflictError } from '../errors.js';
import { FAX_DIRECTIONS, type FaxDirection, type FaxState, isFaxState } from '../model.js';
import { checkLabel, checkNoNul } from '../names.js';

export interface Fax {
  id: number;
  direction: FaxDirection;
  state: FaxState;
  mailboxId: number | null;
  ownerUserId: number | null;
  localNumber: string | null;
  remoteNumber: string | null;
  /** TSI of the sender (incoming) or CSI of the receiver (outgoing). */
  remoteStationId: string | null;
  jobTag: string | null;
  subject: string | null;
  priority: number;
  internal: boolean;
  pagesTotal: number;
  pagesDone: number;
  resolution: number | null;
  tries: number;
  maxTries: number | null;
  dials: number;
  maxDials: number | null;
  notBefore: Date | null;
  killAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  line: string | null;
  commid: string | null;
  cause: string | null;
  causeText: string | null;
  idempotencyKey: string | null;
  metadata: Record<string, unknown>;
  /** Received pages kept with bad rows (metadata.damage, written by the receiver); absent when none. */
  damage?: FaxDamage;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** How much of a received fax is damaged: pages with bad rows, and bad rows in all. */
export interface FaxDamage {
  pages: number;
  rows: number;
}

/** metadata.damage when it is the receiver's record. */
export function damageOf(metadata: Record<string, unknown> | null | undefined): FaxDamage | undefined {
  const d = metadata?.damage as Partial<FaxDamage> | undefined;
  if (d && Number.isInteger(d.pages) && Number.isInteger(d.rows))
    return { pages: d.pages as number, rows: d.rows as number };
  return undefined;
}

/** Columns settable on insert and update (camelCase → snake_case). */
const FIELDS = {
  mailboxId: 'mailbox_id',
  ownerUserId: 'owner_user_id',
  localNumber: 'local_number',
  remoteNumber: 'remote_number',
  remoteStationId: 'remote_station_id',
  jobTag: 'job_tag',
  subject: 'subject',
  priority: 'priority',
  internal: 'internal',
  pagesTotal: 'pages_total',
  pagesDone: 'pages_done',
  resolution: 'resolution',
  tries: 'tries',
  maxTries: 'max_tries',
  dials: 'dials',
  maxDials: 'max_dials',
  notBefore: 'not_before',
  killAt: 'kill_at',
  startedAt: 'started_at',
  completedAt: 'completed_at',
  line: 'line',
  commid: 'commid',
  cause: 'cause',
  causeText: 'cause_text',
  idempotencyKey: 'idempotency_key',
  metadata: 'metadata',
} as const;

export type FaxFields = Partial<Pick<Fax, keyof typeof FIELDS>>;
export type NewFax = FaxFields & {
  direction: FaxDirection;
  state: FaxState;
  /** An id from reserveId(); absent: the next of the sequence. */
  id?: number;
};

function toRow(fields: FaxFields): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(FIELDS)) {
    const v = (fields as Record<string, unknown>)[k];
    if (v !== undefined) row[col] = k === 'metadata' ? JSON.stringify(v) : v;
  }
  return row;
}

// biome-ignore lint/suspicious/noExplicitAny: a faxes row
export function toFax(r: any): Fax {
  return {
    id: r.id,
    direction: r.direction,
    state: r.state,
    mailboxId: r.mailbox_id,
    ownerUserId: r.owner_user_id,
    localNumber: r.local_number,
    remoteNumber: r.remote_number,
    remoteStationId: r.remote_station_id,
    jobTag: r.job_tag,
    subject: r.subject,
    priority: r.priority,
    internal: r.internal,
    pagesTotal: r.pages_total,
    pagesDone: r.pages_done,
    resolution: r.resolution,
    tries: r.tries,
    maxTries: r.max_tries,
    dials: r.dials,
    maxDials: r.max_dials,
    notBefore: r.not_before,
    killAt: r.kill_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    line: r.line,
    commid: r.commid,
    cause: r.cause,
    causeText: r.cause_text,
    idempotencyKey: r.idempotency_key,
    metadata: r.metadata ?? {},
    ...(damageOf(r.metadata) ? { damage: damageOf(r.metadata) } : {}),
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function checkState(state: unknown): FaxState {
  if (!isFaxState(state)) throw new InvalidInputError(`unknown fax state ${JSON.stringify(state)}`);
  return state;
}

/** Longest job tag (the API's limit too). */
export const MAX_JOB_TAG = 100;

/**
 * A fax id taken from the id sequence before its row exists (a HylaFAX client learns its job
 * id at JNEW, before the job's parameters arrive); insert it with `NewFax.id`. An id never
 * used leaves a gap, nothing else.
 */
export async function reserveId(db: Db): Promise<number> {
  const { rows } = await db.raw(`SELECT nextval(pg_get_serial_sequence('faxes', 'id')) AS id`);
  return Number((rows as Array<{ id: string }>)[0].id);
}

export async function insert(db: Db, fax: NewFax): Promise<Fax> {
  if (!(FAX_DIRECTIONS as readonly string[]).includes(fax.direction)) {
    throw new InvalidInputError(`unknown fax direction ${JSON.stringify(fax.direction)} (in, out)`);
  }
  // Tags end up in CSV and xferfaxlog columns: no control characters (names.ts).
  if (typeof fax.jobTag === 'string') checkLabel('job tag', fax.jobTag, MAX_JOB_TAG);
  if (typeof fax.subject === 'string') checkNoNul('subject', fax.subject);
  const values = { ...toRow(fax), direction: fax.direction, state: checkState(fax.state) };
  if (fax.id !== undefined) {
    // id is GENERATED ALWAYS: a reserved one needs OVERRIDING SYSTEM VALUE.
    if (!Number.isSafeInteger(fax.id) || fax.id < 1) throw new InvalidInputError('fax id must be positive');
    const q = db('faxes')
      .insert({ ...values, id: fax.id })
      .returning('*')
      .toSQL();
    const sql = q.sql.replace(/\) values \(/, ') overriding system value values (');
    const { rows } = await db.raw(sql, q.bindings as never);
    return toFax(rows[0]);
  }
  const [row] = await db('faxes').insert(values).returning('*');
  return toFax(row);
}

export async function find(db: Db, id: number): Promise<Fax | null> {
  const row = await db('faxes').where({ id }).first();
  return row ? toFax(row) : null;
}

export async function get(db: Db, id: number): Promise<Fax> {
  const f = await find(db, id);
  if (!f) throw new NotFoundError('fax', id);
  return f;
}

/** Locks the fax row until the end of the transaction (SELECT … FOR UPDATE). */
export async function getForUpdate(db: Db, id: number): Promise<Fax> {
  const row = await db('faxes').where({ id }).forUpdate().first();
  if (!row) throw new NotFoundError('fax', id);
  return toFax(row);
}

export async function findByIdempotencyKey(db: Db, key: string): Promise<Fax | null> {
  const row = await db('faxes').where({ idempotency_key: key }).first();
  return row ? toFax(row) : null;
}

export interface StateChangeOptions {
  /** Only from these states. */
  from?: readonly FaxState[];
  /** Only if the row is still at this version. */
  version?: number;
}

/** The UPDATE … RETURNING * of a state change, not yet run. */
function stateChange(db: Db, id: number, state: FaxState, fields: FaxFields, options: StateChangeOptions) {
  const q = db('faxes')
    .where({ id })
    .update({
      ...toRow(fields),
      state: checkState(state),
      version: db.raw('version + 1'),
      updated_at: db.fn.now(),
    })
    .returning('*');
  if (options.from) q.whereIn('state', options.from.map(checkState));
  if (options.version !== undefined) q.where('version', options.version);
  return q;
}

/**
 * Moves a fax to `state` and sets `fields`. With `from`, the change happens only when the
 * fax is in one of those states (compare-and-set); otherwise StateConflictError.
 */
export async function updateState(
  db: Db,
  id: number,
  state: FaxState,
  fields: FaxFields = {},
  options: Pick<StateChangeOptions, 'from'> = {},
): Promise<Fax> {
  const q = stateChange(db, id, state, fields, options);
  const [row] = await q;
  if (row) return toFax(row);
  const current = await find(db, id);
  if (!current) throw new NotFoundError('fax', id);
  throw new StateConflictError(id, options.from ?? [], current.state);
}

/** A claim lost to another fax to the same number in a call (faxes_one_call_per_number). */
export function isNumberBusy(e: unknown): boolean {
  const pg = e as { code?: string; constraint?: string };
  return pg?.code === '23505' && pg.constraint === 'faxes_one_call_per_number';
}

/**
 * SQL run in the same statement as a change of a fax row, over the changed row (the CTE
 * named CHANGED_ROW); `?` bindings. An INSERT there commits with the change, and only if the
 * change matched a row.
 */
export interface AlongWithChange {
  sql: string;
  bindings: readonly Knex.RawBinding[];
}

/** The CTE a statement given along with a change reads the changed row from. */
export const CHANGED_ROW = 'changed';

/** `update` (an UPDATE … RETURNING *) and the statements `along` as one statement. */
async function changeAlong(
  db: Db,
  update: Knex.QueryBuilder,
  along: readonly AlongWithChange[],
): Promise<Fax | null> {
  if (along.length === 0) {
    const [row] = await update;
    return row ? toFax(row) : null;
  }
  const u = update.toSQL();
  const ctes = along.map((a, i) => `along${i} AS (${a.sql})`).join(', ');
  const result = await db.raw(`WITH ${CHANGED_ROW} AS (${u.sql}), ${ctes} SELECT * FROM ${CHANGED_ROW}`, [
    ...(u.bindings as readonly Knex.RawBinding[]),
    ...along.flatMap((a) => a.bindings),
  ]);
  const row = result.rows[0];
  return row ? toFax(row) : null;
}

/**
 * A state change with the statements `along` in the same statement (no transaction block,
 * one round trip): only from `from` and at `version` when given. Null when the row did not
 * qualify — then nothing along was written either.
 */
export async function updateStateAlong(
  db: Db,
  id: number,
  state: FaxState,
  fields: FaxFields,
  options: StateChangeOptions,
  along: readonly AlongWithChange[],
): Promise<Fax | null> {
  return changeAlong(db, stateChange(db, id, state, fields, options), along);
}

/**
 * Starts a dial in one statement: a waiting fax (`from`), due (`not_before` reached, kill
 * time not), at `version` when given, becomes 'running' with dials + 1, its line and worker.
 * `along` (e.g. the audit event's INSERT over CHANGED_ROW) runs in the same statement, so
 * both commit or neither. Null when the row does not qualify (the caller looks at it again);
 * throws a unique violation that isNumberBusy() recognises when another fax to the same
 * number is running.
 */
export async function claimForCall(
  db: Db,
  id: number,
  opts: {
    from: readonly FaxState[];
    line: string;
    worker: string;
    now: Date;
    slackMs?: number;
    version?: number;
  },
  along: readonly AlongWithChange[] = [],
): Promise<Fax | null> {
  const due = new Date(opts.now.getTime() + (opts.slackMs ?? 0));
  const update = db('faxes')
    .where({ id })
    .whereIn('state', opts.from.map(checkState))
    .where((q) => q.whereNull('not_before').orWhere('not_before', '<=', due))
    .where((q) => q.whereNull('kill_at').orWhere('kill_at', '>', opts.now))
    .update({
      state: 'running',
      dials: db.raw('dials + 1'),
      started_at: db.raw('COALESCE(started_at, ?)', [opts.now]),
      line: opts.line,
      metadata: db.raw(`(metadata - 'stopRequestedBy') || jsonb_build_object('worker', ?::text)`, [
        opts.worker,
      ]),
      version: db.raw('version + 1'),
      updated_at: db.fn.now(),
    })
    .returning('*');
  if (opts.version !== undefined) update.where('version', opts.version);
  return changeAlong(db, update, along);
}

/** Sets fields without a state change. */
export async function update(db: Db, id: number, fields: FaxFields): Promise<Fax> {
  const [row] = await db('faxes')
    .where({ id })
    .update({ ...toRow(fields), version: db.raw('version + 1'), updated_at: db.fn.now() })
    .returning('*');
  if (!row) throw new NotFoundError('fax', id);
  return toFax(row);
}

export async function list(
  db: Db,
  filter: {
    mailboxId?: number;
    ownerUserId?: number;
    direction?: FaxDirection;
    states?: readonly FaxState[];
    limit?: number;
    /** Only faxes with id below this (keyset paging, newest first). */
    beforeId?: number;
  } = {},
): Promise<Fax[]> {
  const q = db('faxes')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.mailboxId !== undefined) q.where('mailbox_id', filter.mailboxId);
  if (filter.ownerUserId !== undefined) q.where('owner_user_id', filter.ownerUserId);
  if (filter.direction !== undefined) q.where('direction', filter.direction);
  if (filter.states) q.whereIn('state', filter.states.map(checkState));
  if (filter.beforeId !== undefined) q.where('id', '<', filter.beforeId);
  return (await q).map(toFax);
}

// ---------------------------------------------------------------------------------------
// Pages: one MMR (T.6) TIFF per page, as bytea.

export interface FaxPageInfo {
  faxId: number;
  pageNo: number;
  width: number | null;
  height: number | null;
  yResolution: number | null;
  encoding: string;
  bytes: number;
  sha256: string;
  createdAt: Date;
}

export interface FaxPage extends FaxPageInfo {
  tiff: Buffer;
}

export interface NewFaxPage {
  pageNo: number;
  tiff: Uint8Array;
  width?: number;
  height?: number;
  yResolution?: number;
  encoding?: string;
}

export async function addPage(db: Db, faxId: number, page: NewFaxPage): Promise<FaxPageInfo> {
  if (!Number.isInteger(page.pageNo) || page.pageNo < 1) {
    throw new InvalidInputError(`page number ${page.pageNo} is invalid (1, 2, …)`);
  }
  if (!(page.tiff instanceof Uint8Array) || page.tiff.length === 0) {
    throw new InvalidInputError('a fax page needs its TIFF bytes');
  }
  await get(db, faxId);
  const tiff = Buffer.from(page.tiff.buffer, page.tiff.byteOffset, page.tiff.byteLength);
  const [row] = await db('fax_pages')
    .insert({
      fax_id: faxId,
      page_no: page.pageNo,
      width: page.width ?? null,
      height: page.height ?? null,
      y_resolution: page.yResolution ?? null,
      encoding: page.encoding ?? 'mmr',
      tiff,
      sha256: createHash('sha256').update(tiff).digest('hex'),
    })
    .returning([
      'fax_id',
      'page_no',
      'width',
      'height',
      'y_resolution',
      'encoding',
      'sha256',
      'created_at',
      db.raw('octet_length(tiff) AS bytes'),
    ]);
  return toPageInfo(row);
}

// biome-ignore lint/suspicious/noExplicitAny: a fax_pages row
function toPageInfo(r: any): FaxPageInfo {
  return {
    faxId: r.fax_id,
    pageNo: r.page_no,
    width: r.width,
    height: r.height,
    yResolution: r.y_resolution,
    encoding: r.encoding,
    bytes: r.bytes,
    sha256: r.sha256,
    createdAt: r.created_at,
  };
}

/** Page metadata (no bytes), in page order. */
export async function listPages(db: Db, faxId: number): Promise<FaxPageInfo[]> {
  const rows = await db('fax_pages')
    .where({ fax_id: faxId })
    .orderBy('page_no')
    .select(
      'fax_id',
      'page_no',
      'width',
      'height',
      'y_resolution',
      'encoding',
      'sha256',
      'created_at',
      db.raw('octet_length(tiff) AS bytes'),
    );
  return rows.map(toPageInfo);
}

/** One page with its TIFF bytes. Callers check `in.read`/`out.*` with `can` first. */
export async function getPage(db: Db, faxId: number, pageNo: number): Promise<FaxPage> {
  const row = await db('fax_pages')
    .where({ fax_id: faxId, page_no: pageNo })
    .select('*', db.raw('octet_length(tiff) AS bytes'))
    .first();
  if (!row) throw new NotFoundError('fax page', `${faxId}/${pageNo}`);
  return { ...toPageInfo(row), tiff: row.tiff };
}

/** Deletes all pages of a fax (content deletion for retention); returns how many. */
export async function deletePages(db: Db, faxId: number): Promise<number> {
  return db('fax_pages').where({ fax_id: faxId }).delete();
}
