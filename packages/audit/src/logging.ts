// Logging with winston: JSON lines when stdout is not a terminal (journald, files,
// collectors), readable lines on a terminal. Every record passes a redaction format
// first: secrets and fax content never reach a log.
import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';

export interface LoggerOptions {
  level?: LogLevel;
  /** Component name, added to every record ('api', 'worker', 'capi', …). */
  component?: string;
  /** Force JSON (true) or readable lines (false); default: JSON unless stdout is a TTY. */
  json?: boolean;
  /** Where to write (default process.stdout). */
  stream?: NodeJS.WritableStream;
}

export const REDACTED = '[REDACTED]';

/** Keys whose values never reach a log (case-insensitive). */
export const SECRET_KEY_PATTERN =
  /pass(word|wd|phrase)?$|^pwd$|secret|token|authori[sz]ation|cookie|api[-_]?key|private[-_]?key|credential|session[-_]?id/i;

/** Keys that hold fax content: only numbers and booleans under them (counts, sizes) are logged. */
export const CONTENT_KEY_PATTERN =
  /^content$|^data$|image|tiff|^pages?$|bytes$|^body$|^sff$|^pdf$|^document$|^attachments?$/i;

// Secrets that may sit inside free text: bearer tokens, basic auth, key=value pairs, URL user:password.
const TEXT_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b(password|passwd|pwd|secret|token|api[-_]?key)(["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi, `$1$2${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

export function redactText(s: string): string {
  let out = s;
  for (const [re, rep] of TEXT_PATTERNS) out = out.replace(re, rep);
  return out;
}

function binaryNote(v: ArrayBuffer | ArrayBufferView): string {
  return `[binary ${v.byteLength} bytes]`;
}

/**
 * A redacted deep copy of `value`: values under secret keys are replaced, binary data
 * (Buffer, typed arrays, ArrayBuffer) is never printed, secrets inside strings are masked.
 * Cycles and depth are bounded.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return binaryNote(value);
  if (seen.has(value)) return '[circular]';
  if (depth > 8) return '[too deep]';
  seen.add(value);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactText(value.message),
      stack: value.stack ? redactText(value.stack) : undefined,
    };
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) out[k] = v;
    else if (SECRET_KEY_PATTERN.test(k)) out[k] = REDACTED;
    else if (CONTENT_KEY_PATTERN.test(k) && typeof v !== 'number' && typeof v !== 'boolean')
      out[k] = REDACTED;
    else out[k] = redact(v, depth + 1, seen);
  }
  return out;
}

/** winston format: replaces the record by its redacted copy (symbols such as level kept). */
export const redactFormat = winston.format((info) => {
  const copy = redact({ ...info }) as winston.Logform.TransformableInfo;
  for (const sym of Object.getOwnPropertySymbols(info)) {
    (copy as unknown as Record<symbol, unknown>)[sym] = (info as unknown as Record<symbol, unknown>)[sym];
  }
  // winston.splat / MESSAGE symbols may carry raw values; the message itself is redacted above.
  return copy;
});

const readable = winston.format.printf((info) => {
  const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${timestamp} ${level}${component ? ` [${component}]` : ''} ${message}${extra}`;
});

export function createLogger(options: LoggerOptions = {}): winston.Logger {
  const stream = options.stream ?? process.stdout;
  const json = options.json ?? !(stream as NodeJS.WriteStream).isTTY;
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: options.component ? { component: options.component } : undefined,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      redactFormat(),
      winston.format.timestamp(),
      json ? winston.format.json() : winston.format.combine(winston.format.colorize(), readable),
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
}
