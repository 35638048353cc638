// `faxgate selftest` (issue 17 item 4): a scripted check of this node — database role,
// audit trail (verify), checkpoint key and checkpoints, lockdown, disk, render, the pilot's
// test numbers — written as a report signed with the audit checkpoint key (Ed25519), stored
// (selftest_reports, append-only) and recorded as `config.selftest`. A release needs a
// passing one. The test call (pilot/test-call.ts) sends to the test number through the line and
// waits for a fax back; without pilot.selftestMailbox it is skipped, and the report says so.
import { sign, verify } from 'node:crypto';
import { appendAuditEvent, loadCheckpointKey, readCheckpoints, verifyAuditChain } from '@faxgate/audit';
import { inTransaction, type Knex } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { statfsProbe } from '../disk/probe.js';
import type { DocumentLoader } from '../documents/load-pages.js';
import { effectiveMode } from './state.js';
import { type SendTestFax, testCall } from './test-call.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export interface SelftestCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  ms: number;
}

export interface SelftestReport {
  format: 'faxgate-selftest/1';
  node: string;
  actor: string;
  startedAt: string;
  mode: string;
  configVersion: number | null;
  /** No check failed (warnings and skipped checks are listed, they do not fail it). */
  passed: boolean;
  checks: SelftestCheck[];
}

export interface StoredSelftest {
  id: number;
  createdAt: Date;
  report: SelftestReport;
  signed: string;
  signature: string;
  keyId: string;
}

/** Sorted keys, no spaces: the bytes that are signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

async function timed(
  name: string,
  fn: () => Promise<{ status: CheckStatus; detail: string }>,
): Promise<SelftestCheck> {
  const t0 = performance.now();
  try {
    const r = await fn();
    return { name, ...r, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { name, status: 'fail', detail: (e as Error).message, ms: Math.round(performance.now() - t0) };
  }
}

/** A one-page plain-text document, rendered as a submission would be. */
const TEXT = new TextEncoder().encode('faxgate selftest\n\nThis page checks the render path.\n');

export interface SelftestDeps {
  db: Knex;
  config: FaxgateConfig;
  documents?: DocumentLoader;
  /** Submits the test call's fax (the API passes the pipeline's submission as the caller). */
  send?: SendTestFax;
}

export async function runChecks(deps: SelftestDeps): Promise<SelftestCheck[]> {
  const { db, config } = deps;
  const checks: SelftestCheck[] = [];
  checks.push(
    await timed('database role', async () => {
      const r = await db.raw(
        'SELECT current_user AS role, rolsuper FROM pg_roles WHERE rolname = current_user',
      );
      const row = r.rows[0] as { role: string; rolsuper: boolean };
      if (!row.rolsuper) return { status: 'pass', detail: `${row.role}: not a superuser` };
      return config.database.allowPrivileged
        ? { status: 'warn', detail: `${row.role} is a superuser (database.allowPrivileged: true)` }
        : { status: 'fail', detail: `${row.role} is a superuser: it could disable the audit triggers` };
    }),
  );
  checks.push(
    await timed('audit verify', async () => {
      const v = await verifyAuditChain(db);
      return v.ok
        ? { status: 'pass', detail: `${v.checked} events, chain intact` }
        : { status: 'fail', detail: `chain broken: ${JSON.stringify(v.firstBad)}` };
    }),
  );
  checks.push(
    await timed('audit checkpoints', async () => {
      const key = loadCheckpointKey(config.audit.checkpointKeyFile);
      let count = 0;
      try {
        count = readCheckpoints(config.audit.checkpointDir).checkpoints.length;
      } catch {
        count = 0;
      }
      return count > 0
        ? {
            status: 'pass',
            detail: `key ${key.keyId}, ${count} checkpoints in ${config.audit.checkpointDir}`,
          }
        : { status: 'warn', detail: `key ${key.keyId}, no checkpoint yet in ${config.audit.checkpointDir}` };
    }),
  );
  checks.push(
    await timed('lockdown', async () => ({
      status: 'pass',
      detail: `${config.lockdown.mode}; incoming services ${JSON.stringify(config.lockdown.incomingServices)}, outgoing ${JSON.stringify(config.lockdown.outgoingServices)}`,
    })),
  );
  checks.push(
    await timed('disk', async () => {
      const out: string[] = [];
      let status: CheckStatus = 'pass';
      for (const [key, dir] of Object.entries(config.paths)) {
        const s = await statfsProbe(dir);
        const pct = s.totalBytes ? (100 * s.freeBytes) / s.totalBytes : 0;
        out.push(`${key} ${pct.toFixed(1)}% free`);
        if (pct < config.disk.criticalPercent || s.freeBytes < config.disk.criticalBytes) status = 'fail';
        else if (
          status === 'pass' &&
          (pct < config.disk.warningPercent || s.freeBytes < config.disk.warningBytes)
        )
          status = 'warn';
      }
      return { status, detail: out.join(', ') };
    }),
  );
  checks.push(
    await timed('render', async () => {
      if (!deps.documents) return { status: 'skipped', detail: 'no document loader in this process' };
      const pages = await deps.documents.load([{ name: 'selftest.txt', data: TEXT }]);
      return pages.length === 1
        ? { status: 'pass', detail: `1 page, ${pages[0].width}×${pages[0].height}` }
        : { status: 'fail', detail: `${pages.length} pages from a one-page text` };
    }),
  );
  checks.push(
    await timed('test numbers', async () =>
      config.pilot.testNumbers.length
        ? { status: 'pass', detail: config.pilot.testNumbers.join(', ') }
        : { status: 'fail', detail: 'pilot.testNumbers is empty: nothing may be dialled in the pilot' },
    ),
  );
  checks.push(await timed('test call', () => testCall(db, config, deps.send)));
  return checks;
}

/** Runs the checks, signs the report with the checkpoint key, stores and records it. */
export async function runSelftest(deps: SelftestDeps & { actor: string }): Promise<StoredSelftest> {
  const { db, config } = deps;
  const startedAt = new Date().toISOString();
  const key = loadCheckpointKey(config.audit.checkpointKeyFile);
  const checks = await runChecks(deps);
  const latest = await db('config_versions').where({ node: config.node.name }).max('version as v').first();
  const report: SelftestReport = {
    format: 'faxgate-selftest/1',
    node: config.node.name,
    actor: deps.actor,
    startedAt,
    mode: (await effectiveMode(db, config)).mode,
    configVersion: latest?.v == null ? null : Number(latest.v),
    passed: checks.every((c) => c.status !== 'fail'),
    checks,
  };
  const signed = canonicalJson(report);
  const signature = sign(null, Buffer.from(signed), key.privateKey).toString('base64');
  return inTransaction(db, async (trx) => {
    const [row] = await trx('selftest_reports')
      .insert({
        node: report.node,
        actor: deps.actor,
        passed: report.passed,
        report: JSON.stringify(report),
        signed,
        signature,
        key_id: key.keyId,
      })
      .returning(['id', 'created_at']);
    await appendAuditEvent(trx, {
      type: 'config.selftest',
      actor: deps.actor,
      subject: `selftest:${row.id}`,
      details: {
        node: report.node,
        passed: report.passed,
        keyId: key.keyId,
        failed: checks.filter((c) => c.status === 'fail').map((c) => c.name),
      },
    });
    return { id: Number(row.id), createdAt: row.created_at, report, signed, signature, keyId: key.keyId };
  });
}

/** Whether `signature` is the checkpoint key's signature over `signed`. */
export function verifySelftest(
  signed: string,
  signature: string,
  publicKey: Parameters<typeof verify>[2],
): boolean {
  return verify(null, Buffer.from(signed), publicKey, Buffer.from(signature, 'base64'));
}

export async function latestSelftest(db: Knex, node: string): Promise<StoredSelftest | null> {
  const r = await db('selftest_reports').where({ node }).orderBy('id', 'desc').first();
  if (!r) return null;
  return {
    id: Number(r.id),
    createdAt: r.created_at,
    report: r.report as SelftestReport,
    signed: r.signed,
    signature: r.signature,
    keyId: r.key_id,
  };
}

export function formatSelftest(s: StoredSelftest): string {
  const lines = [
    `selftest ${s.id} of node ${s.report.node} (${s.report.mode}), ${new Date(s.createdAt).toISOString()}: ${s.report.passed ? 'PASSED' : 'FAILED'}`,
  ];
  for (const c of s.report.checks)
    lines.push(`  ${c.status.toUpperCase().padEnd(7)} ${c.name}: ${c.detail} (${c.ms} ms)`);
  lines.push(`signed with the audit checkpoint key ${s.keyId}: ${s.signature}`);
  return lines.join('\n');
}
