// The review report's CSV and HTML: formula cells neutralised, every value escaped, the page
// self-contained (no script, no external reference).
import { describe, expect, it } from 'vitest';
import { CSV_HEADER, escapeHtml, reviewReportCsv, reviewReportHtml } from './format.js';
import type { ReviewReport } from './report.js';

const evil = '=HYPERLINK("http://x","<script>alert(1)</script>")';
const report: ReviewReport = {
  from: new Date('2026-03-01T00:00:00Z'),
  to: new Date('2026-03-08T00:00:00Z'),
  generatedAt: new Date('2026-03-08T10:00:00Z'),
  pseudonymised: false,
  traffic: [{ mailbox: 'sales-in', direction: 'in', faxes: 3, pages: 7, done: 2, failed: 1 }],
  failures: [{ direction: 'out', cause: 'busy', count: 2 }],
  failedFaxes: [
    {
      id: 12,
      time: new Date('2026-03-02T08:00:00Z'),
      direction: 'out',
      mailbox: 'alice-out',
      remoteNumber: '+49305551000',
      cause: 'busy',
    },
  ],
  rejections: [
    {
      time: new Date('2026-03-03T09:00:00Z'),
      type: 'lockdown.call_rejected',
      rule: 'service',
      reason: evil,
      caller: '+4989123',
      called: '3001',
    },
  ],
  rejectionCount: 1,
  deniedAccesses: [
    { time: new Date('2026-03-04T09:00:00Z'), actor: '@bob', what: evil, permission: 'log.read', via: 'api' },
  ],
  deniedCount: 1,
  configChanges: [
    {
      time: new Date('2026-03-05T09:00:00Z'),
      actor: 'admin',
      subject: 'config:v2',
      node: 'gw1',
      comment: '+cmd|calc',
    },
  ],
  truncated: [],
};

describe('review report formats', () => {
  it('CSV: one header, a row per item, formula-like cells neutralised', () => {
    const lines = reviewReportCsv(report).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines.map((l) => l.split(',')[0])).toEqual([
      'section',
      'period',
      'traffic',
      'failure-cause',
      'failed-fax',
      'rejection',
      'access-denied',
      'config-change',
    ]);
    const denied = lines.find((l) => l.startsWith('access-denied')) ?? '';
    expect(denied).toContain(`'@bob`);
    expect(denied).not.toMatch(/,=|,"=/);
    // a number starting with + is a formula start to a spreadsheet: neutralised too
    expect(lines.find((l) => l.startsWith('failed-fax'))).toContain(`'+49305551000`);
  });

  it('HTML: values escaped, no script, nothing loaded from outside', () => {
    const html = reviewReportHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<td>sales-in</td><td>in</td><td>3</td>');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });
});
