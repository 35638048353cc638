// The header line (TTI) printed at the top of every page, HylaFAX TagLineFormat style:
// strftime codes are expanded first (so `%%` becomes `%`), then the job's fields
// (`%d` recipient number, `%P` page, …); `|` splits the line into fields: the first is
// left-aligned, the last right-aligned, the others centred in equal columns.
import type { BilevelPage } from '../page.js';
import { drawText, fillRect, lineMetrics, measureText, type TextStyle } from './font.js';
import type { HeaderFields, HeaderLineOptions } from './types.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Parts {
  Y: number;
  m: number;
  d: number;
  H: number;
  M: number;
  S: number;
  wd: number;
  offsetMin: number;
  zone: string;
}

/** Formatters by time zone: building one costs ~0.5 ms, and every page's header line needs it. */
const formatters = new Map<string, Intl.DateTimeFormat>();
/** The last date taken apart: a job's pages all carry the same time. */
let last: { time: number; zone: string | undefined; parts: Parts } | null = null;

function formatter(timeZone?: string): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let fmt = formatters.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      timeZoneName: 'short',
    });
    if (formatters.size >= 32) formatters.clear(); // a handful of zones in practice
    formatters.set(key, fmt);
  }
  return fmt;
}

function dateParts(date: Date, timeZone?: string): Parts {
  const time = date.getTime();
  if (last && last.time === time && last.zone === timeZone) return last.parts;
  const parts = datePartsOf(date, formatter(timeZone));
  last = { time, zone: timeZone, parts };
  return parts;
}

function datePartsOf(date: Date, fmt: Intl.DateTimeFormat): Parts {
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(date)) p[part.type] = part.value;
  const Y = Number(p.year);
  const m = Number(p.month);
  const d = Number(p.day);
  const H = Number(p.hour);
  const M = Number(p.minute);
  const S = Number(p.second);
  const offsetMin = Math.round(
    (Date.UTC(Y, m - 1, d, H, M, S) - Math.floor(date.getTime() / 1000) * 1000) / 60000,
  );
  return { Y, m, d, H, M, S, wd: WEEKDAYS.indexOf(p.weekday), offsetMin, zone: p.timeZoneName ?? '' };
}

const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

/** strftime subset: %Y %y %m %d %e %H %I %M %S %p %a %b %j %z %Z %F %T %D %R %c %x %X %%. */
export function strftime(format: string, date: Date, timeZone?: string): string {
  const t = dateParts(date, timeZone);
  const doy = Math.round((Date.UTC(t.Y, t.m - 1, t.d) - Date.UTC(t.Y, 0, 1)) / 86400000) + 1;
  const off = `${t.offsetMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(t.offsetMin) / 60))}${pad(Math.abs(t.offsetMin) % 60)}`;
  const codes: Record<string, () => string> = {
    Y: () => String(t.Y),
    y: () => pad(t.Y % 100),
    m: () => pad(t.m),
    d: () => pad(t.d),
    e: () => pad(t.d, 2, ' '),
    H: () => pad(t.H),
    I: () => pad(((t.H + 11) % 12) + 1),
    M: () => pad(t.M),
    S: () => pad(t.S),
    p: () => (t.H < 12 ? 'AM' : 'PM'),
    a: () => WEEKDAYS[t.wd] ?? '',
    b: () => MONTHS[t.m - 1],
    h: () => MONTHS[t.m - 1],
    j: () => pad(doy, 3),
    z: () => off,
    Z: () => t.zone,
    F: () => `${t.Y}-${pad(t.m)}-${pad(t.d)}`,
    T: () => `${pad(t.H)}:${pad(t.M)}:${pad(t.S)}`,
    R: () => `${pad(t.H)}:${pad(t.M)}`,
    D: () => `${pad(t.m)}/${pad(t.d)}/${pad(t.Y % 100)}`,
    c: () =>
      `${WEEKDAYS[t.wd]} ${MONTHS[t.m - 1]} ${pad(t.d, 2, ' ')} ${pad(t.H)}:${pad(t.M)}:${pad(t.S)} ${t.Y}`,
    x: () => `${pad(t.m)}/${pad(t.d)}/${pad(t.Y % 100)}`,
    X: () => `${pad(t.H)}:${pad(t.M)}:${pad(t.S)}`,
    '%': () => '%',
  };
  return format.replace(/%(.)/gsu, (all, c: string) => (codes[c] ? codes[c]() : all));
}

export interface PageNumbers {
  page: number;
  pages: number;
}

/** Expands the job fields of an already strftime-expanded line. */
export function expandFields(line: string, f: HeaderFields, n: PageNumbers): string {
  const v: Record<string, string | undefined> = {
    d: f.recipientNumber,
    i: f.jobId,
    j: f.jobTag,
    l: f.tsi ?? f.senderNumber,
    n: f.senderNumber,
    s: f.senderName,
    r: f.recipientName,
    m: f.mail,
    S: f.subject,
    p: String(n.page),
    P: String(n.page),
    t: String(n.pages),
    T: String(n.pages),
    '%': '%',
  };
  // Control characters would let a field forge layout; a header line is one line.
  const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
  return line.replace(/%(.)/gsu, (all, c: string) => (c in v ? clean(v[c] ?? '') : all));
}

export function formatHeaderLine(opts: HeaderLineOptions, n: PageNumbers): string[] {
  const first = strftime(opts.format, opts.date ?? new Date(), opts.timeZone);
  return expandFields(first, opts.fields, n).split('|');
}

/** Blank band height in lines for a header of `sizePt` at `dpiY`. */
export function headerBandLines(sizePt: number, dpiY: number): number {
  return Math.ceil(((sizePt * 1.45) / 72) * dpiY);
}

/**
 * Prints the header into the top band of `page` (cleared to white first, like a fax
 * machine's TTI: the band overwrites what the document had there).
 */
export function drawHeaderLine(
  page: BilevelPage,
  opts: HeaderLineOptions,
  n: PageNumbers,
  dpiX: number,
  dpiY: number,
): void {
  const sizePt = opts.sizePt ?? 9;
  const style: TextStyle = { face: 'sans', sizePt, dpiX, dpiY };
  const band = Math.min(page.height, headerBandLines(sizePt, dpiY));
  fillRect(page, 0, 0, page.width, band, false);
  const fields = formatHeaderLine(opts, n);
  const margin = Math.round(dpiX * 0.2);
  const { ascent, height } = lineMetrics(style);
  const baseline = Math.round((band - height) / 2 + ascent);
  const usable = page.width - 2 * margin;
  const gap = dpiX * 0.15;
  // Fields keep their natural width when the line has room (spread like CSS
  // space-between); otherwise each gets an equal share and is cut with an ellipsis.
  let texts = fields.map((f) => f.trim());
  let widths = texts.map((t) => measureText(t, style));
  if (widths.reduce((a, b) => a + b, 0) + gap * (texts.length - 1) > usable) {
    const share = (usable - gap * (texts.length - 1)) / texts.length;
    texts = texts.map((t) => fitText(t, style, share));
    widths = texts.map((t) => measureText(t, style));
  }
  const total = widths.reduce((a, b) => a + b, 0);
  const space = texts.length > 1 ? (usable - total) / (texts.length - 1) : 0;
  let x = margin;
  texts.forEach((text, i) => {
    drawText(page, text, Math.round(x), baseline, style);
    x += widths[i] + space;
  });
}

/** Cuts `text` with an ellipsis so it fits `max` pixels. */
export function fitText(text: string, style: TextStyle, max: number): string {
  if (measureText(text, style) <= max) return text;
  const chars = Array.from(text);
  while (chars.length > 0 && measureText(`${chars.join('')}…`, style) > max) chars.pop();
  return `${chars.join('')}…`;
}
