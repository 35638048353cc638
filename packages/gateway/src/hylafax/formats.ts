// hfaxd's status format strings (JOBFMT, RCVFMT, MDMFMT): printf-like %-specifiers whose
// conversion letter names a field — "%-4j %3i %1a" is job id left in 4, priority right in 3,
// state in 1. Flags '-' (left) and '0' (zero fill), a width and a precision (strings are cut
// to it) are applied as printf does. Unknown letters give an empty field of their width.

/** hfaxd's defaults, the formats faxstat asks for when the user configured none. */
export const DEFAULT_JOBFMT = '%-4j %3i %1a %6.6o %-12.12e %5P %5D %7z %.25s';
export const DEFAULT_RCVFMT = '%-7m %4p%1z %-8.8o %14.14s %7t %f';
export const DEFAULT_MDMFMT = '%-8m %s';

/** Longest format a client may set (a format is one command line). */
export const MAX_FORMAT = 512;

export type FieldValue = string | number | undefined;

const SPEC = /%([-0 +#]*)([0-9]{0,3})(?:\.([0-9]{0,3}))?([A-Za-z%])/g;

/** Formats one line: `field(letter)` gives the value of each %-specifier. */
export function formatLine(format: string, field: (letter: string) => FieldValue): string {
  return format.replace(SPEC, (_all, flags: string, width: string, precision: string | undefined, letter) => {
    if (letter === '%') return '%';
    const value = field(letter);
    let text = value === undefined ? '' : String(value);
    if (precision !== undefined && precision !== '' && typeof value !== 'number') {
      text = text.slice(0, Number(precision));
    }
    const w = width === '' ? 0 : Number(width);
    if (text.length >= w) return text;
    if (flags.includes('-')) return text.padEnd(w);
    if (flags.includes('0') && typeof value === 'number') {
      const sign = text.startsWith('-') ? '-' : '';
      return sign + text.slice(sign.length).padStart(w - sign.length, '0');
    }
    return text.padStart(w);
  });
}

/** Whether a client's format is acceptable: bounded, printable, no line breaks. */
export function validFormat(format: string): boolean {
  return format.length <= MAX_FORMAT && !/[\u0000-\u001f\u007f]/.test(format);
}
