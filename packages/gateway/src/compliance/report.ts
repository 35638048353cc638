// The compliance report: every requirement of the catalogue judged against the live evidence.
import type { Db } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { REQUIREMENTS, type Requirement, type VerdictStatus } from './catalogue.js';
import { type Evidence, gatherEvidence } from './evidence.js';

export interface Verdict {
  id: string;
  title: string;
  status: VerdictStatus;
  /** not met: what is wrong; organisational: what to do and record; met: empty. */
  detail: string;
  evidence: Record<string, unknown>;
}

export interface ComplianceReport {
  generatedAt: Date;
  node: string;
  /** Software-checkable requirements not met: the CLI exits 1 when there is any. */
  notMet: number;
  verdicts: Verdict[];
}

export function judge(requirements: readonly Requirement[], e: Evidence): Verdict[] {
  return requirements.map((r) => {
    const f = r.check(e);
    const status: VerdictStatus = f.problems.length > 0 ? 'not-met' : f.todo ? 'organisational' : 'met';
    return {
      id: r.id,
      title: r.title,
      status,
      detail:
        status === 'not-met' ? f.problems.join('; ') : status === 'organisational' ? (f.todo ?? '') : '',
      evidence: f.evidence,
    };
  });
}

export async function complianceReport(
  db: Db,
  config: FaxgateConfig,
  now = new Date(),
): Promise<ComplianceReport> {
  const verdicts = judge(REQUIREMENTS, await gatherEvidence(db, config, now));
  return {
    generatedAt: now,
    node: config.node.name,
    notMet: verdicts.filter((v) => v.status === 'not-met').length,
    verdicts,
  };
}
