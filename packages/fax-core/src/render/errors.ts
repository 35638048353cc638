// Typed errors of the renderer. They cross the sandbox boundary as plain objects
// (toWire/fromWire), so the gateway sees the same classes whether a job ran in a worker
// process or failed in the pool itself.

export type RenderLimit = 'time' | 'pages' | 'pixels' | 'memory' | 'input-size';

export class RenderError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RenderError';
    this.code = code;
  }
}

/** The input is none of the accepted types (PDF, PNG, JPEG, GIF, TIFF, UTF-8 text), or an animated GIF. */
export class UnsupportedDocumentError extends RenderError {
  /** What the content looked like, e.g. "ZIP archive". */
  readonly detected: string;
  constructor(detected: string, firstBytes: Uint8Array) {
    const hex = Array.from(firstBytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    super(
      'unsupported-type',
      `unsupported document type: ${detected}${firstBytes.length ? ` (first bytes ${hex})` : ''}`,
    );
    this.name = 'UnsupportedDocumentError';
    this.detected = detected;
  }
}

export type DocumentProblem = 'corrupt' | 'encrypted' | 'empty' | 'invalid-text';

/** The input has an accepted type but cannot be rendered (damaged, encrypted, no pages). */
export class DocumentError extends RenderError {
  readonly problem: DocumentProblem;
  constructor(problem: DocumentProblem, message: string) {
    super(`document-${problem}`, message);
    this.name = 'DocumentError';
    this.problem = problem;
  }
}

/** A job hit one of the sandbox limits; the job ends, the pool goes on. */
export class RenderLimitError extends RenderError {
  readonly limit: RenderLimit;
  /** The configured bound and, where known, what the input asked for. */
  readonly max: number;
  readonly actual: number | undefined;
  constructor(limit: RenderLimit, max: number, actual: number | undefined, message: string) {
    super(`limit-${limit}`, message);
    this.name = 'RenderLimitError';
    this.limit = limit;
    this.max = max;
    this.actual = actual;
  }
}

/**
 * Refuses a document whose page count (plus `extraPages`, e.g. the cover page) exceeds the
 * page limit — checked from the header, before any page is drawn.
 */
export function checkPageCount(count: number, limit: number, extraPages: number, what: string): void {
  const maxPages = limit - extraPages;
  if (count > maxPages) {
    throw new RenderLimitError(
      'pages',
      limit,
      count + extraPages,
      `${what} has ${count} pages (limit ${maxPages})`,
    );
  }
}

/** A worker died for a reason that is not a limit (a crash in a decoder), or the pool is closed. */
export class RenderWorkerError extends RenderError {
  constructor(message: string) {
    super('worker', message);
    this.name = 'RenderWorkerError';
  }
}

/**
 * The render sandbox cannot be set up (bubblewrap missing, or the kernel refuses its
 * namespaces): the pool does not start rather than render without it.
 */
export class SandboxUnavailableError extends RenderError {
  constructor(reason: string) {
    super(
      'sandbox-unavailable',
      `render sandbox unavailable: ${reason}. Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) ` +
        `or set render.sandbox: none to render without a sandbox (not recommended)`,
    );
    this.name = 'SandboxUnavailableError';
  }
}

export interface WireError {
  name: string;
  message: string;
  code?: string;
  detected?: string;
  problem?: DocumentProblem;
  limit?: RenderLimit;
  max?: number;
  actual?: number;
}

export function toWire(err: unknown): WireError {
  if (err instanceof RenderLimitError)
    return { name: err.name, message: err.message, limit: err.limit, max: err.max, actual: err.actual };
  if (err instanceof UnsupportedDocumentError)
    return { name: err.name, message: err.message, detected: err.detected };
  if (err instanceof DocumentError) return { name: err.name, message: err.message, problem: err.problem };
  if (err instanceof RenderError) return { name: err.name, message: err.message, code: err.code };
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: 'Error', message: e.message };
}

export function fromWire(w: WireError): Error {
  let err: Error;
  switch (w.name) {
    case 'RenderLimitError':
      err = new RenderLimitError(w.limit ?? 'time', w.max ?? 0, w.actual, w.message);
      break;
    case 'UnsupportedDocumentError':
      err = new UnsupportedDocumentError(w.detected ?? 'unknown', new Uint8Array());
      err.message = w.message;
      break;
    case 'DocumentError':
      err = new DocumentError(w.problem ?? 'corrupt', w.message);
      break;
    case 'RenderError':
    case 'RenderWorkerError':
      err = new RenderError(w.code ?? 'render', w.message);
      break;
    default:
      err = new RenderError('render', w.message);
  }
  return err;
}
