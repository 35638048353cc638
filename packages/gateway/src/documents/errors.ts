// The submitted file and the one error the document loader reports about a file (400 in the
// API, exit 2 in the CLI), and the fax decode threads' refusals; kept apart so the budget, the
// loader and the decoder share them without a cycle.
import {
  CodecError,
  ContainerError,
  DocumentError,
  PageError,
  RenderLimitError,
  UnsupportedDocumentError,
} from '@faxgate/fax-core';

export interface DocumentFile {
  /** Shown in errors only. */
  name: string;
  data: Uint8Array;
}

/** A file is not a document faxgate can send (malformed, empty, over a limit). */
export class DocumentInputError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'DocumentInputError';
  }
}

/** The submission is over its page or pixel budget (the API answers 400, not 422). */
export class BudgetExceededError extends DocumentInputError {
  constructor(file: string, message: string) {
    super(file, message);
    this.name = 'BudgetExceededError';
  }
}

/** Documents cannot be rendered now (the sandbox is missing): the operator's problem, not the file's. */
export class RenderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderUnavailableError';
  }
}

/** The decoder refused the file (a ContainerError, CodecError or PageError in the thread). */
export class FaxDecodeError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'FaxDecodeError';
  }
}

/** Decoding a file went over the time or memory limit of its thread. */
export class FaxDecodeLimitError extends Error {
  constructor(
    readonly limit: 'time' | 'memory',
    message: string,
  ) {
    super(message);
    this.name = 'FaxDecodeLimitError';
  }
}

/**
 * fax-core's complaints about a file's content — reader, codec, page model, renderer: the
 * client's input, not our fault. By class: the render pool turns its workers' errors back
 * into these classes (fax-core render/errors.ts fromWire).
 */
export function isFaxContentError(e: unknown): e is Error {
  return (
    e instanceof ContainerError ||
    e instanceof CodecError ||
    e instanceof PageError ||
    e instanceof DocumentError ||
    e instanceof UnsupportedDocumentError ||
    e instanceof RenderLimitError
  );
}
