// `faxgate release` (issue 17 item 4): ends the pilot of this node. Needs a passing selftest
// younger than pilot.selftestMaxAgeHours and an admin other than the one who last changed the
// configuration (four eyes: the author of the node's latest version recorded by a person —
// a file edit read at start names only an OS account, so the last person-made change counts).
// Recorded in `releases` (append-only) with a `config.release` audit event.
import { appendAuditEvent } from '@faxgate/audit';
import { inTransaction, type Knex } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { latestSelftest } from './selftest.js';
import { forgetMode, latestRelease, type ReleaseRecord } from './state.js';

export class ReleaseRefusedError extends Error {
  constructor(
    message: string,
    readonly reason:
      | 'not-pilot'
      | 'released'
      | 'no-selftest'
      | 'selftest-failed'
      | 'selftest-stale'
      | 'four-eyes',
  ) {
    super(message);
    this.name = 'ReleaseRefusedError';
  }
}

export async function releaseNode(opts: {
  db: Knex;
  config: FaxgateConfig;
  actor: string;
  note?: string;
  now?: Date;
}): Promise<ReleaseRecord> {
  const { db, config, actor } = opts;
  const node = config.node.name;
  const now = opts.now ?? new Date();
  if (config.mode !== 'pilot') {
    throw new ReleaseRefusedError(`node ${node} is not in pilot mode (mode: ${config.mode})`, 'not-pilot');
  }
  const released = await inTransaction(db, async (trx): Promise<ReleaseRecord> => {
    // one release at a time per node
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`faxgate.release:${node}`]);
    const done = await latestRelease(trx as unknown as Knex, node);
    if (done) {
      throw new ReleaseRefusedError(
        `node ${node} was released already (release ${done.id} by ${done.releasedBy} at ${done.releasedAt.toISOString()})`,
        'released',
      );
    }
    const st = await latestSelftest(trx as unknown as Knex, node);
    if (!st)
      throw new ReleaseRefusedError(`no selftest of node ${node}: run faxgate selftest first`, 'no-selftest');
    if (!st.report.passed) {
      const failed = st.report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
      throw new ReleaseRefusedError(
        `the last selftest (${st.id}) failed (${failed.join(', ')}): fix that and run faxgate selftest again`,
        'selftest-failed',
      );
    }
    const ageH = (now.getTime() - new Date(st.createdAt).getTime()) / 3_600_000;
    if (ageH > config.pilot.selftestMaxAgeHours) {
      throw new ReleaseRefusedError(
        `the last passing selftest (${st.id}) is ${ageH.toFixed(1)} h old, older than ${config.pilot.selftestMaxAgeHours} h: run faxgate selftest again`,
        'selftest-stale',
      );
    }
    const lastByPerson = await trx('config_versions')
      .where({ node, author_kind: 'user' })
      .orderBy('version', 'desc')
      .first('version', 'author');
    const latest = await trx('config_versions').where({ node }).orderBy('version', 'desc').first('version');
    const lastChangedBy: string = lastByPerson?.author ?? st.report.actor;
    if (lastChangedBy === actor) {
      throw new ReleaseRefusedError(
        lastByPerson
          ? `four eyes: ${actor} made the last configuration change (version ${lastByPerson.version}); another admin must release`
          : `four eyes: ${actor} ran the selftest and no configuration change by a person is recorded; another admin must release`,
        'four-eyes',
      );
    }
    const [row] = await trx('releases')
      .insert({
        node,
        released_by: actor,
        selftest_id: st.id,
        config_version: latest?.version ?? null,
        last_changed_by: lastChangedBy,
        note: opts.note ?? '',
      })
      .returning('*');
    await appendAuditEvent(trx, {
      type: 'config.release',
      actor,
      subject: `node:${node}`,
      details: {
        node,
        release: Number(row.id),
        selftest: st.id,
        configVersion: latest?.version == null ? null : Number(latest.version),
        lastChangedBy,
        note: opts.note ?? '',
      },
    });
    return {
      id: Number(row.id),
      node,
      releasedBy: actor,
      releasedAt: row.released_at,
      selftestId: st.id,
      configVersion: row.config_version === null ? null : Number(row.config_version),
      lastChangedBy,
      note: row.note,
    };
  });
  forgetMode(db); // after the commit: the next question sees the release
  return released;
}
