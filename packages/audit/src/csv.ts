// One CSV cell writer for every CSV the gateway produces (audit export, send/receive log).
// Cells are RFC 4180-quoted, and a cell that a spreadsheet would run as a formula — one
// starting with = + - @, TAB or CR (OWASP "CSV Injection") — gets a leading ' so it is
// shown as text: a job tag `=HYPERLINK(…)` is never a live link in the auditor's Excel.
// Numbers, dates and booleans are written as they are (a negative number stays a number).

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The text of one cell before quoting. */
function cellText(v: unknown): { text: string; fromText: boolean } {
  if (typeof v === 'string') return { text: v, fromText: true };
  if (v instanceof Date) return { text: v.toISOString(), fromText: false };
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    return { text: String(v), fromText: false };
  }
  // Objects (JSON details) are text a person or a program wrote into them.
  return { text: typeof v === 'object' ? JSON.stringify(v) : String(v), fromText: true };
}

/** One CSV cell: neutralised when it starts like a formula, quoted when it must be. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const { text, fromText } = cellText(v);
  const safe = fromText && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n\t]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV record with CRLF, as RFC 4180 says. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
