// The control connection's text protocol (FTP-like, hfaxd's): CRLF lines "VERB argument",
// answered "NNN text". Bounded: a line longer than MAX_LINE ends the connection, since a
// client that sends one is not a HylaFAX client.

/** Longest command line accepted (hfaxd's clients send well under 300 characters). */
export const MAX_LINE = 2048;

export interface Command {
  /** Upper case, letters only. */
  verb: string;
  /** The rest of the line after one space (may be empty). */
  arg: string;
}

/** One command line → verb and argument; null for a line that is no command. */
export function parseCommand(line: string): Command | null {
  const m = /^([A-Za-z]{1,12})(?: (.*))?$/.exec(line.replace(/\r$/, ''));
  if (!m) return null;
  return { verb: m[1].toUpperCase(), arg: (m[2] ?? '').trim() };
}

/**
 * A quoted string argument ("a \"b\" c") or a bare word; hfaxd's clients quote strings that
 * may hold spaces. Returns null when a quote is left open.
 */
export function unquote(arg: string): string | null {
  if (!arg.startsWith('"')) return arg;
  let out = '';
  for (let i = 1; i < arg.length; i++) {
    const c = arg[i];
    if (c === '\\' && i + 1 < arg.length) out += arg[++i];
    else if (c === '"') return i === arg.length - 1 ? out : null;
    else out += c;
  }
  return null;
}

/** "NAME value" of JPARM: the parameter name (upper case) and its unquoted value. */
export function splitParam(arg: string): { name: string; value: string | null } | null {
  const m = /^([A-Za-z0-9-]{1,32})(?:\s+(.*))?$/.exec(arg);
  if (!m) return null;
  return { name: m[1].toUpperCase(), value: m[2] === undefined ? null : unquote(m[2].trim()) };
}

/** A reply; a multi-line text is sent as "NNN-line" … "NNN last". */
export function reply(code: number, text: string): string {
  const lines = text.replace(/[\r\0]/g, '').split('\n');
  const last = lines.pop() as string;
  return [...lines.map((l) => `${code}-${l}`), `${code} ${last}`].map((l) => `${l}\r\n`).join('');
}

/** Cuts the byte stream of a connection into lines, refusing over-long ones. */
export class LineSplitter {
  private buf = '';
  /** Feeds bytes; returns the complete lines, or 'too-long' once a line exceeds MAX_LINE. */
  push(chunk: string): string[] | 'too-long' {
    this.buf += chunk;
    const lines: string[] = [];
    for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      if (line.length > MAX_LINE) return 'too-long';
      lines.push(line);
    }
    if (this.buf.length > MAX_LINE) return 'too-long';
    return lines;
  }
}
