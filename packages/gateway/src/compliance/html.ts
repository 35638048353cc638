// The compliance report as one self-contained HTML page: no scripts, nothing loaded from
// elsewhere, every value escaped (evidence holds configuration text and user names).
import { escapeHtml } from '../review/format.js';
import type { ComplianceReport } from './report.js';

const LABEL = { met: 'met', 'not-met': 'NOT MET', organisational: 'organisational' } as const;

export function complianceHtml(r: ComplianceReport): string {
  const title = `faxgate compliance report, ${r.node}, ${r.generatedAt.toISOString()}`;
  const rows = r.verdicts
    .map(
      (v) =>
        `<tr class="${v.status}"><td>${escapeHtml(v.id)}</td><td>${escapeHtml(v.title)}</td><td>${LABEL[v.status]}</td><td>${escapeHtml(v.detail)}</td><td><pre>${escapeHtml(JSON.stringify(v.evidence, null, 1))}</pre></td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${escapeHtml(title)}</title><style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}pre{margin:0;font-size:12px;white-space:pre-wrap}.not-met td:nth-child(3){color:#b00;font-weight:bold}</style></head><body><h1>${escapeHtml(title)}</h1><p>${r.notMet} software-checkable requirement(s) not met.</p><table><thead><tr><th>requirement</th><th>title</th><th>verdict</th><th>what is wrong / what to do</th><th>evidence</th></tr></thead><tbody>${rows}</tbody></table></body></html>\n`;
}
