// Verifying the audit chain: stream every event in seq order, recompute each hash, check
// each link, compare the end with the chain head, and name the first row that is wrong.
import type { Db } from '@faxgate/store';
import { canonicalEvent, chainHash, GENESIS_HASH } from './canonical.js';
import { countUnsealed, sealBeforeReading } from './seal.js';

export type ChainFaultKind = 'altered' | 'deleted' | 'inserted' | 'reordered';

export interface ChainFault {
  seq: number;
  kind: ChainFaultKind;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Events whose hash and link were checked and found right. */
  checked: number;
  /** seq of the last event read. */
  lastSeq: number;
  /**
   * Committed events not chained yet (after the seal this call tries first): not a fault,
   * but not covered by the check either. Normally 0.
   */
  unsealed: number;
  firstBad?: ChainFault;
}

export interface VerifyOptions {
  /** Rows per query (default 10,000). */
  batch?: number;
  onProgress?: (checked: number) => void;
  /** Seal what is unsealed before checking (default true; skipped quietly when it cannot). */
  seal?: boolean;
}

interface Row {
  seq: number;
  t: string;
  type: string;
  actor: string;
  actor_id: number | null;
  subject: string | null;
  mailbox_id: number | null;
  fax_id: number | null;
  details: string;
  prev_hash: string;
  hash: string;
}

// Time and details as the text the canonical encoding uses (no parsing on either side).
const SELECT = `SELECT seq, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t, type, actor,
  actor_id, subject, mailbox_id, fax_id, details::text AS details, prev_hash, hash FROM audit_events`;

async function fetchAfter(db: Db, afterSeq: number, limit: number): Promise<Row[]> {
  const { rows } = await db.raw(`${SELECT} WHERE seq > ? ORDER BY seq LIMIT ?`, [afterSeq, limit]);
  return rows;
}

function hashAs(r: Row, seq: number): string {
  return chainHash(
    r.prev_hash,
    canonicalEvent({
      seq,
      time: r.t,
      type: r.type,
      actor: r.actor,
      actorId: r.actor_id,
      subject: r.subject,
      mailboxId: r.mailbox_id,
      faxId: r.fax_id,
      detailsText: r.details,
    }),
  );
}

/** Works out what happened at the first row that does not fit. */
async function classify(
  db: Db,
  r: Row,
  prevSeq: number,
  prevHash: string,
  selfOk: boolean,
): Promise<ChainFault> {
  const [next] = await fetchAfter(db, r.seq, 1);
  if (next && next.seq === r.seq + 1 && next.prev_hash === prevHash && r.prev_hash === next.hash) {
    return {
      seq: r.seq,
      kind: 'reordered',
      message: `events ${r.seq} and ${next.seq} were swapped: event ${r.seq} links to event ${next.seq}`,
    };
  }
  if (next && next.seq === r.seq + 1 && next.prev_hash === prevHash && prevSeq > 0) {
    return {
      seq: r.seq,
      kind: 'inserted',
      message: `event ${r.seq} was inserted: event ${next.seq} links to event ${prevSeq}, past it`,
    };
  }
  if (selfOk) {
    if (prevSeq === 0) {
      return { seq: r.seq, kind: 'altered', message: `event ${r.seq} does not start from the genesis hash` };
    }
    return {
      seq: prevSeq,
      kind: 'altered',
      message: `event ${prevSeq} was altered and re-hashed: event ${r.seq} links to a different hash`,
    };
  }
  if (r.seq > 1 && hashAs(r, r.seq - 1) === r.hash) {
    return {
      seq: r.seq - 1,
      kind: 'inserted',
      message: `event ${r.seq - 1} was inserted: the events after it were renumbered (event ${r.seq} was ${r.seq - 1})`,
    };
  }
  if (r.prev_hash === prevHash) {
    return {
      seq: r.seq,
      kind: 'altered',
      message: `event ${r.seq} was altered: its content does not match its hash`,
    };
  }
  const { rows } = await db.raw('SELECT seq FROM audit_events WHERE hash = ? ORDER BY seq LIMIT 1', [
    r.prev_hash,
  ]);
  if (rows.length > 0 && rows[0].seq !== prevSeq) {
    const before = rows[0].seq as number;
    const moved = hashAs(r, before + 1) === r.hash;
    return {
      seq: r.seq,
      kind: 'reordered',
      message: `event at position ${r.seq} belongs after event ${before}${moved ? ` (it was event ${before + 1})` : ''}: events were reordered`,
    };
  }
  return {
    seq: r.seq,
    kind: 'altered',
    message: `event ${r.seq} was altered: neither its content nor its link to event ${prevSeq} match`,
  };
}

/**
 * Verifies the whole chain, reading it in batches (the next batch is fetched while the
 * current one is hashed). Seals first (unless `seal: false`), stops at the first fault and
 * names it. Appends that commit while verification runs are checked too. Events without a
 * position yet are counted in `unsealed`, not treated as faults.
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<VerifyResult> {
  if (options.seal ?? true) await sealBeforeReading(db);
  const result = await verifySealed(db, options);
  const unsealed = await countUnsealed(db);
  return result.firstBad
    ? { ok: false, checked: result.checked, lastSeq: result.lastSeq, unsealed, firstBad: result.firstBad }
    : { ok: true, checked: result.checked, lastSeq: result.lastSeq, unsealed };
}

type SealedResult = Omit<VerifyResult, 'unsealed'>;

async function verifySealed(db: Db, options: VerifyOptions): Promise<SealedResult> {
  const batch = Math.max(1, options.batch ?? 10_000);
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  const fail = (firstBad: ChainFault): SealedResult => ({ ok: false, checked, lastSeq: prevSeq, firstBad });

  let pending: Promise<Row[]> | null = fetchAfter(db, 0, batch);
  while (pending) {
    const rows: Row[] = await pending;
    pending = rows.length === batch ? fetchAfter(db, rows[rows.length - 1].seq, batch) : null;
    for (const r of rows) {
      if (r.seq !== prevSeq + 1) {
        await pending?.catch(() => undefined);
        return fail({
          seq: prevSeq + 1,
          kind: 'deleted',
          message:
            r.seq === prevSeq + 2
              ? `event ${prevSeq + 1} was deleted: event ${r.seq} follows event ${prevSeq}`
              : `events ${prevSeq + 1}–${r.seq - 1} were deleted: event ${r.seq} follows event ${prevSeq}`,
        });
      }
      const selfOk = hashAs(r, r.seq) === r.hash;
      if (!selfOk || r.prev_hash !== prevHash) {
        await pending?.catch(() => undefined);
        return fail(await classify(db, r, prevSeq, prevHash, selfOk));
      }
      prevSeq = r.seq;
      prevHash = r.hash;
      checked++;
    }
    options.onProgress?.(checked);
    if (!pending) {
      // Compare the end with the head. Head and event commit together, so a head ahead of
      // what was read means appends after our last read: read on until we catch up.
      const { rows: heads } = await db.raw('SELECT seq, hash FROM audit_head WHERE id = 1');
      const head = heads[0] as { seq: number; hash: string } | undefined;
      if (!head) return fail({ seq: 0, kind: 'deleted', message: 'the chain head (audit_head) is missing' });
      if (head.seq > prevSeq) {
        const more = await fetchAfter(db, prevSeq, batch);
        if (more.length === 0) {
          return fail({
            seq: prevSeq + 1,
            kind: 'deleted',
            message: `events ${prevSeq + 1}–${head.seq} were deleted: the chain ends at ${prevSeq}, its head says ${head.seq}`,
          });
        }
        pending = Promise.resolve(more);
        continue;
      }
      if (head.seq < prevSeq) {
        return fail({
          seq: head.seq + 1,
          kind: 'inserted',
          message: `event ${head.seq + 1} was inserted: the chain head ends at ${head.seq}`,
        });
      }
      if (head.hash !== prevHash) {
        return fail({
          seq: prevSeq,
          kind: 'altered',
          message: `event ${prevSeq} was altered and re-hashed: it does not match the chain head`,
        });
      }
    }
  }
  return { ok: true, checked, lastSeq: prevSeq };
}
