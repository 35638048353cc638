// The system commands around checkpoints: `audit verify` (the chain, then every checkpoint
// given), `audit checkpoint [--init-key]` and `audit checkpoints export`. They work without
// the daemon, as the database owner (withSystemSession), recorded as system:<os user>.

import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import {
  CheckpointKeyError,
  type CheckpointSet,
  CheckpointSourceError,
  type CheckpointVerifyResult,
  checkpointsAsJsonLines,
  copyCheckpoints,
  createCheckpoint,
  FAILED_CHECKPOINT,
  loadCheckpointKey,
  readCheckpoints,
  readPublicKeyFile,
  syslogSink,
  type VerifyResult,
  verifyAgainstCheckpoints,
  verifyAuditChain,
} from '@faxgate/audit';
import type { Command } from 'commander';
import { printJson, printLine } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { type SystemSession, withSystemSession } from '../cli/system-session.js';

export interface VerifyOptions {
  checkpoints?: string;
  publicKey?: string;
  json?: boolean;
}

interface Sources {
  set: CheckpointSet;
  keys: Map<string, KeyObject>;
  /** Where the checkpoints came from, and whether it was the configured default. */
  from: string;
  fromDefault: boolean;
  /** The default directory does not exist: nothing to check against. */
  missing: boolean;
}

/** The checkpoints and public keys to verify with; bad input is exit 2. */
function sources(s: SystemSession, o: VerifyOptions): Sources {
  const from = o.checkpoints ?? s.loaded.config.audit.checkpointDir;
  const fromDefault = o.checkpoints === undefined;
  let set: CheckpointSet = { checkpoints: [], publicKeys: new Map() };
  let missing = false;
  if (fromDefault && !fs.existsSync(from)) missing = true;
  else {
    try {
      set = readCheckpoints(from);
    } catch (e) {
      if (e instanceof CheckpointSourceError) throw new CliError(`--checkpoints: ${e.message}`, 2);
      throw e;
    }
  }
  let keys: Map<string, KeyObject>;
  if (o.publicKey !== undefined) {
    // An auditor's pinned key: only it counts, not one that came with the checkpoints.
    try {
      keys = readPublicKeyFile(o.publicKey);
    } catch (e) {
      if (e instanceof CheckpointKeyError) throw new CliError(`--public-key: ${e.message}`, 2);
      throw e;
    }
  } else {
    keys = new Map(set.publicKeys);
    try {
      const own = loadCheckpointKey(s.loaded.config.audit.checkpointKeyFile);
      keys.set(own.keyId, own.publicKey);
    } catch {
      // no readable signing key here: the public keys beside the checkpoints only
    }
  }
  return { set, keys, from, fromDefault, missing };
}

export async function verifyCommand(cmd: Command, o: VerifyOptions): Promise<void> {
  const { chain, cps, src } = await withSystemSession(cmd, async (s) => {
    const src = sources(s, o);
    const chain: VerifyResult = await verifyAuditChain(s.db);
    const cps: CheckpointVerifyResult = await verifyAgainstCheckpoints(s.db, src.set.checkpoints, src.keys);
    const failed = cps.checks.filter((c) => FAILED_CHECKPOINT.has(c.status));
    // Recorded after the check, so the verification never covers its own record.
    await s.audit('audit.verify', {
      subject: 'audit_events',
      details: {
        ok: chain.ok && cps.ok,
        checked: chain.checked,
        firstBad: chain.firstBad ?? null,
        checkpoints: {
          from: src.from,
          given: src.set.checkpoints.length,
          matched: cps.matched,
          failed: failed.map((c) => ({ source: c.source, seq: c.seq, status: c.status })),
        },
      },
    });
    return { chain, cps, src };
  });
  const ok = chain.ok && cps.ok;
  if (o.json) {
    printJson({ ...chain, ok, checkpoints: { from: src.from, ...cps } });
  } else {
    if (chain.ok) printLine(`audit trail intact: ${chain.checked} events checked`);
    if (src.missing) {
      printLine(`no checkpoints: ${src.from} does not exist — the chain was checked against itself only`);
    } else {
      const other = cps.checks.filter((c) => c.status === 'other-database').length;
      const latest = Math.max(-1, ...cps.checks.filter((c) => c.status === 'ok').map((c) => c.seq ?? -1));
      printLine(
        `checkpoints (${src.from}): ${cps.matched} of ${cps.checks.length} match` +
          (latest >= 0 ? `, the latest at event ${latest}` : '') +
          (other ? `, ${other} of other databases skipped` : ''),
      );
      if (cps.checks.length - other === 0)
        printLine(`no checkpoint for database ${cps.database}: the chain was checked against itself only`);
    }
  }
  if (ok) return;
  const problems: string[] = [];
  if (!chain.ok) {
    const bad = chain.firstBad;
    problems.push(
      `audit trail BROKEN at event ${bad?.seq} (${bad?.kind}): ${bad?.message}; ${chain.checked} events before it are intact`,
    );
  }
  for (const c of cps.checks.filter((ch) => FAILED_CHECKPOINT.has(ch.status))) {
    problems.push(`audit trail BROKEN (${c.status}): ${c.message}`);
  }
  throw new CliError(problems.join('\n'), 1);
}

export async function checkpointCommand(cmd: Command, o: { initKey?: boolean }): Promise<void> {
  const out = await withSystemSession(cmd, async (s) => {
    const { checkpointKeyFile, checkpointDir } = s.loaded.config.audit;
    let key: ReturnType<typeof loadCheckpointKey>;
    try {
      key = loadCheckpointKey(checkpointKeyFile, { create: o.initKey === true });
    } catch (e) {
      if (!(e instanceof CheckpointKeyError)) throw e;
      await s.audit('access.denied', {
        subject: 'audit checkpoint',
        details: { reason: e.message, via: 'cli' },
      });
      throw new CliError(e.message, 2);
    }
    const sink = syslogSink({ info: () => {}, warn: (m) => process.stderr.write(`faxgate: ${m}\n`) });
    return { key, r: await createCheckpoint(s.db, { key, dir: checkpointDir, sink, actor: s.actor }) };
  });
  if (out.r.written) {
    printLine(`checkpoint at event ${out.r.checkpoint.seq} (key ${out.key.keyId}): ${out.r.file}`);
  } else if (out.r.reason === 'empty') {
    printLine('the audit trail is empty: nothing to anchor, no checkpoint written');
  } else {
    throw new CliError('another node is writing a checkpoint right now: try again', 1);
  }
}

export async function exportCheckpointsCommand(cmd: Command, o: { out: string }): Promise<void> {
  await withSystemSession(cmd, async (s) => {
    const dir = s.loaded.config.audit.checkpointDir;
    let set: CheckpointSet;
    try {
      set = readCheckpoints(dir);
    } catch (e) {
      if (e instanceof CheckpointSourceError) throw new CliError(e.message, 2);
      throw e;
    }
    try {
      const own = loadCheckpointKey(s.loaded.config.audit.checkpointKeyFile);
      set.publicKeys.set(own.keyId, own.publicKey);
    } catch {
      // the public keys beside the checkpoints only
    }
    const damaged = set.checkpoints.filter((c) => !c.checkpoint);
    for (const d of damaged) process.stderr.write(`faxgate: left out ${d.source}: ${d.error}\n`);
    let count: number;
    if (o.out === '-') {
      process.stdout.write(checkpointsAsJsonLines(set));
      count = set.checkpoints.length - damaged.length;
    } else {
      count = copyCheckpoints(set, o.out).files;
    }
    await s.audit('audit.export', {
      subject: 'audit-checkpoints',
      details: { from: dir, to: o.out, checkpoints: count, left_out: damaged.length },
    });
    if (o.out !== '-') printLine(`${count} checkpoints and the public key copied to ${o.out}`);
  });
}
