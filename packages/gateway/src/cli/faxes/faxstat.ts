// The send-queue table operators know from HylaFAX `faxstat -s`: the default JobFmt
// `%-4j %3i %1a %6.6o %-12.12e %5P %5D %7z %.25s` (prior-art §3.2), one fax per line.
import type { Fax } from '@faxgate/store';
import { stateLetter } from '../../state-letters.js';

export { stateLetter };

/** printf `%-W.Ps` / `%W.Ps`: cut to `precision`, pad to `width` (left-justified when `left`). */
function field(value: string, width: number, opts: { left?: boolean; precision?: number } = {}): string {
  const cut = opts.precision === undefined ? value : value.slice(0, opts.precision);
  return opts.left ? cut.padEnd(width) : cut.padStart(width);
}

export const FAXSTAT_HEADER = 'JID  Pri S  Owner Number       Pages Dials     TTS Status';

export interface FaxstatRow {
  fax: Fax;
  owner: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Time to send, in the given zone: blank when it is due now (or the fax is running or
 * finished), `HH:MM` on the same day, else `DDMonYY` (7 characters, as HylaFAX).
 */
export function ttsText(fax: Fax, now: Date, timeZone: string): string {
  if (!fax.notBefore || fax.notBefore <= now) return '';
  if (!['pending', 'sleeping', 'blocked', 'waiting', 'suspended'].includes(fax.state)) return '';
  const parts = (d: Date) =>
    Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        year: '2-digit',
        month: 'numeric',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(d)
        .map((p) => [p.type, p.value]),
    ) as Record<string, string>;
  const t = parts(fax.notBefore);
  const n = parts(now);
  if (t.year === n.year && t.month === n.month && t.day === n.day) return `${t.hour}:${t.minute}`;
  return `${t.day}${MONTHS[Number(t.month) - 1]}${t.year}`;
}

/**
 * Last failure reason (HylaFAX `%s`): cause text, else the cause code. Empty for a done job,
 * as faxstat leaves it (the success note, "1 page confirmed", stays on the fax record).
 */
export function statusText(fax: Fax): string {
  if (fax.state === 'done') return '';
  return (fax.causeText ?? fax.cause ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * How the status column is shown: `cut` to 25 characters as HylaFAX does (the default, so
 * scripts that read faxstat columns keep working), `wide` in full on the line, or `wrap`ped
 * in 25-character pieces onto lines of their own under the status column.
 */
export type StatusLayout = 'cut' | 'wide' | 'wrap';

/** Width of the status column and where it starts (after the other columns and their spaces). */
export const STATUS_WIDTH = 25;
const STATUS_COLUMN = FAXSTAT_HEADER.indexOf('Status');

/** `text` in pieces of at most `width`, broken at spaces where one is near enough. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 2 ? space : width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || out.length === 0) out.push(rest);
  return out;
}

export function faxstatLine(
  row: FaxstatRow,
  now: Date,
  timeZone: string,
  layout: StatusLayout = 'cut',
): string {
  const f = row.fax;
  const status = statusText(f);
  const [first, ...more] =
    layout === 'wide'
      ? [status]
      : layout === 'wrap'
        ? wrapText(status, STATUS_WIDTH)
        : [status.slice(0, STATUS_WIDTH)];
  const line = [
    field(String(f.id), 4, { left: true }),
    field(String(f.priority), 3),
    stateLetter(f.state),
    field(row.owner, 6, { precision: 6 }),
    field(f.remoteNumber ?? '', 12, { left: true, precision: 12 }),
    field(`${f.pagesDone}:${f.pagesTotal}`, 5),
    field(`${f.dials}:${f.maxDials ?? 0}`, 5),
    field(ttsText(f, now, timeZone), 7),
    first,
  ]
    .join(' ')
    .trimEnd();
  return [line, ...more.map((m) => ' '.repeat(STATUS_COLUMN) + m)].join('\n');
}

/** The zone times are shown in, stated for the reader: `Europe/Berlin (UTC+01:00)`. */
export function describeZone(timeZone: string, at: Date): string {
  const offset =
    new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${timeZone} (${offset === 'GMT' ? 'UTC+00:00' : offset.replace('GMT', 'UTC')})`;
}
