// The submitted file and the one error the document loader reports about a file (400 in the
// API, exit 2 in the CLI); kept apart so the budget and the loader share them without a cycle.

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
