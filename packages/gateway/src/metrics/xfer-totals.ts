// Calls, outcomes and pages from the send/receive log (xfer_log, append-only), so the counters
// survive a restart and agree between the nodes of one database. Read incrementally: rows up to
// the largest id seen by a read at least FOLD_AFTER_MS ago are folded into running totals once;
// only the rows after that are read again at each scrape. The margin is there because ids are
// handed out at INSERT, not at COMMIT: a row with a lower id may still become visible after a
// higher one, but not minutes after (a send-log insert is a one-statement transaction).
import type { Db } from '@faxgate/store';

export const FOLD_AFTER_MS = 5 * 60_000;

export interface XferTotals {
  /** direction, controller ('' when the record names none) → calls */
  calls: Map<string, number>;
  /** direction, cause → calls */
  outcomes: Map<string, number>;
  /** direction → pages */
  pages: Map<string, number>;
}

interface Row {
  type: 'SEND' | 'RECV';
  device: string;
  result_code: string;
  calls: string | number;
  pages: string | number;
}

/** Label key joined by a separator no label value holds. */
export const key = (...parts: string[]) => parts.join('\u0000');

const DIRECTION = { SEND: 'out', RECV: 'in' } as const;

/** 'c1' (sends) and 'capi1' (receives) → '1'. */
export function controllerOf(device: string): string {
  return /(\d+)$/.exec(device)?.[1] ?? '';
}

/** A cause as a label value: the send log's result code, bounded ('' → 'unknown'). */
export function causeLabel(code: string): string {
  const c = code.trim().slice(0, 40);
  return c === '' ? 'unknown' : c;
}

function empty(): XferTotals {
  return { calls: new Map(), outcomes: new Map(), pages: new Map() };
}

function add(into: XferTotals, rows: Row[]): void {
  const bump = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  for (const r of rows) {
    const dir = DIRECTION[r.type];
    const n = Number(r.calls);
    bump(into.calls, key(dir, controllerOf(r.device)), n);
    bump(into.outcomes, key(dir, causeLabel(r.result_code)), n);
    bump(into.pages, dir, Number(r.pages));
  }
}

function merged(a: XferTotals, b: XferTotals): XferTotals {
  const out = empty();
  for (const part of ['calls', 'outcomes', 'pages'] as const) {
    for (const src of [a, b]) {
      for (const [k, v] of src[part]) out[part].set(k, (out[part].get(k) ?? 0) + v);
    }
  }
  return out;
}

async function aggregate(db: Db, afterId: number, upToId?: number): Promise<{ rows: Row[]; maxId: number }> {
  const { rows } = await db.raw(
    `SELECT type, device, result_code, count(*) AS calls, coalesce(sum(npages), 0) AS pages, max(id) AS max_id
       FROM xfer_log
      WHERE id > ? ${upToId === undefined ? '' : 'AND id <= ?'} AND type IN ('SEND', 'RECV')
      GROUP BY type, device, result_code`,
    upToId === undefined ? [afterId] : [afterId, upToId],
  );
  const maxId = rows.reduce((m: number, r: { max_id: string }) => Math.max(m, Number(r.max_id)), afterId);
  return { rows, maxId };
}

/** Running totals of the send/receive log for one process. */
export function createXferTotals(opts: { foldAfterMs?: number; now?: () => number } = {}) {
  const foldAfter = opts.foldAfterMs ?? FOLD_AFTER_MS;
  const now = opts.now ?? Date.now;
  const folded = empty();
  let foldedUpTo = 0;
  /** (time, largest id seen then), oldest first. */
  const seen: Array<{ at: number; maxId: number }> = [];
  return {
    async read(db: Db): Promise<XferTotals> {
      const t = now();
      // The newest read old enough: every row up to its largest id has committed by now.
      let fold: number | undefined;
      while (seen.length > 0 && seen[0].at <= t - foldAfter) fold = seen.shift()?.maxId;
      if (fold !== undefined && fold > foldedUpTo) {
        add(folded, (await aggregate(db, foldedUpTo, fold)).rows);
        foldedUpTo = fold;
      }
      const live = await aggregate(db, foldedUpTo);
      seen.push({ at: t, maxId: live.maxId });
      const fresh = empty();
      add(fresh, live.rows);
      return merged(folded, fresh);
    },
  };
}
