// The review report as CSV (one table, a section column; formula cells neutralised by the
// audit package's csvCell) and as one self-contained HTML page (no scripts, no external
// resources, every value escaped).
import { csvLine } from '@faxgate/audit';
import type { ReviewReport } from './report.js';

export const CSV_HEADER = [
  'section',
  'time',
  'direction',
  'mailbox',
  'actor',
  'number',
  'cause',
  'count',
  'detail',
];

export function reviewReportCsv(r: ReviewReport): string {
  const out: string[] = [csvLine(CSV_HEADER)];
  const row = (v: Partial<Record<(typeof CSV_HEADER)[number], unknown>>) =>
    out.push(csvLine(CSV_HEADER.map((k) => v[k] ?? '')));
  row({
    section: 'period',
    time: r.from,
    detail: `to ${r.to.toISOString()}${r.pseudonymised ? '; numbers pseudonymised' : ''}`,
  });
  for (const t of r.traffic)
    row({
      section: 'traffic',
      direction: t.direction,
      mailbox: t.mailbox,
      count: t.faxes,
      detail: `pages ${t.pages}, done ${t.done}, failed ${t.failed}`,
    });
  for (const f of r.failures)
    row({ section: 'failure-cause', direction: f.direction, cause: f.cause, count: f.count });
  for (const f of r.failedFaxes)
    row({
      section: 'failed-fax',
      time: f.time,
      direction: f.direction,
      mailbox: f.mailbox,
      number: f.remoteNumber,
      cause: f.cause,
      detail: `fax ${f.id}`,
    });
  for (const x of r.rejections)
    row({
      section: 'rejection',
      time: x.time,
      number: x.caller,
      cause: x.rule,
      detail: `${x.type}: ${x.reason}${x.called ? ` (called ${x.called})` : ''}`,
    });
  for (const d of r.deniedAccesses)
    row({
      section: 'access-denied',
      time: d.time,
      actor: d.actor,
      cause: d.permission,
      detail: `${d.what}${d.via ? ` via ${d.via}` : ''}`,
    });
  for (const c of r.configChanges)
    row({
      section: 'config-change',
      time: c.time,
      actor: c.actor,
      detail: `${c.subject} on ${c.node}${c.comment ? `: ${c.comment}` : ''}`,
    });
  for (const t of r.truncated) row({ section: 'truncated', detail: t });
  return out.join('');
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(v: unknown): string {
  const s = v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v);
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}

function table(caption: string, head: string[], rows: unknown[][], total?: number): string {
  const more = total !== undefined && total > rows.length ? ` (${rows.length} of ${total} shown)` : '';
  if (rows.length === 0) return `<h2>${escapeHtml(caption)}</h2><p>none</p>`;
  return `<h2>${escapeHtml(caption + more)}</h2><table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function reviewReportHtml(r: ReviewReport): string {
  const title = `faxgate log review report ${r.from.toISOString()} – ${r.to.toISOString()}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${escapeHtml(title)}</title><style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:2px 6px;text-align:left}</style></head><body><h1>${escapeHtml(title)}</h1><p>Generated ${escapeHtml(r.generatedAt)}.${r.pseudonymised ? ' Remote numbers are pseudonyms (keyed hash).' : ''}</p>${[
    table(
      'Faxes per mailbox',
      ['mailbox', 'direction', 'faxes', 'pages', 'done', 'failed'],
      r.traffic.map((t) => [t.mailbox, t.direction, t.faxes, t.pages, t.done, t.failed]),
    ),
    table(
      'Failures by cause',
      ['direction', 'cause', 'count'],
      r.failures.map((f) => [f.direction, f.cause, f.count]),
    ),
    table(
      'Failed faxes',
      ['fax', 'time', 'direction', 'mailbox', 'remote number', 'cause'],
      r.failedFaxes.map((f) => [f.id, f.time, f.direction, f.mailbox, f.remoteNumber, f.cause]),
    ),
    table(
      'Lockdown and routing rejections',
      ['time', 'event', 'rule', 'caller', 'called', 'reason'],
      r.rejections.map((x) => [x.time, x.type, x.rule, x.caller, x.called, x.reason]),
      r.rejectionCount,
    ),
    table(
      'Denied accesses',
      ['time', 'actor', 'permission', 'what', 'via'],
      r.deniedAccesses.map((d) => [d.time, d.actor, d.permission, d.what, d.via]),
      r.deniedCount,
    ),
    table(
      'Configuration changes',
      ['time', 'author', 'version', 'node', 'reason'],
      r.configChanges.map((c) => [c.time, c.actor, c.subject, c.node, c.comment]),
    ),
  ].join('')}</body></html>\n`;
}
