// The pilot phase's state (issue 17 item 4). Decision: the release is recorded and the
// daemon reads it — `mode: pilot` in the file means "pilot until a release of this node is
// recorded"; a release (a second admin, after a passing selftest) ends the pilot at once on
// every process of the node, without anyone editing the file alone. So the act that ends the
// pilot is the four-eyes decision itself, it is in the trail, and the file stays the
// documented pilot configuration (set `mode: production` later to say the pilot is over).
import type { Knex } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import type { Mode } from './config.js';

export interface ReleaseRecord {
  id: number;
  node: string;
  releasedBy: string;
  releasedAt: Date;
  selftestId: number;
  configVersion: number | null;
  lastChangedBy: string;
  note: string;
}

export interface EffectiveMode {
  /** What the gateway does now: 'pilot' until a release of this node is recorded. */
  mode: Mode;
  configured: Mode;
  release: ReleaseRecord | null;
}

// biome-ignore lint/suspicious/noExplicitAny: a releases row
function toRelease(r: any): ReleaseRecord {
  return {
    id: Number(r.id),
    node: r.node,
    releasedBy: r.released_by,
    releasedAt: r.released_at,
    selftestId: Number(r.selftest_id),
    configVersion: r.config_version === null ? null : Number(r.config_version),
    lastChangedBy: r.last_changed_by,
    note: r.note,
  };
}

export async function latestRelease(db: Knex, node: string): Promise<ReleaseRecord | null> {
  const row = await db('releases').where({ node }).orderBy('id', 'desc').first();
  return row ? toRelease(row) : null;
}

const CACHE_MS = 2000;
const cache = new WeakMap<Knex, Map<string, { at: number; value: EffectiveMode }>>();

/** The mode now (read at most every 2 s per node and database: every API answer asks). */
export async function effectiveMode(db: Knex, config: FaxgateConfig): Promise<EffectiveMode> {
  if (config.mode === 'production') return { mode: 'production', configured: 'production', release: null };
  const node = config.node.name;
  const perDb = cache.get(db) ?? new Map<string, { at: number; value: EffectiveMode }>();
  cache.set(db, perDb);
  const hit = perDb.get(node);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const release = await latestRelease(db, node);
  const value: EffectiveMode = { mode: release ? 'production' : 'pilot', configured: 'pilot', release };
  perDb.set(node, { at: Date.now(), value });
  return value;
}

/** After a release: the next question reads the database. */
export function forgetMode(db: Knex): void {
  cache.delete(db);
}

/** In pilot mode only the test numbers are dialled. */
export function pilotAllows(config: FaxgateConfig, e164: string | null | undefined): boolean {
  return !!e164 && config.pilot.testNumbers.includes(e164);
}

export function pilotRefusal(config: FaxgateConfig): string {
  const list = config.pilot.testNumbers;
  return `pilot phase: only the test number${list.length === 1 ? '' : 's'} ${list.length ? list.join(', ') : '(none configured: pilot.testNumbers)'} may be dialled until the gateway is released (faxgate release)`;
}
