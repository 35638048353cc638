/** An error the CLI reports as one clear line and turns into an exit code. */
export class CliError extends Error {
  /** 1 = the checked thing is bad (e.g. audit verify failed); 2 = bad input, usage or config. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A refusal or failure the API answered, with its status and code. */
export class ApiCallError extends CliError {
  constructor(
    message: string,
    exitCode: number,
    readonly status: number,
    readonly code: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message, exitCode);
    this.name = 'ApiCallError';
  }
}

/** Why the owner credentials cannot be used: exit code 2, one clear line. */
export class OwnerCredentialsError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'OwnerCredentialsError';
  }
}

/** The token file is not private, not a file, or damaged: it is not used. */
export class TokenFileError extends CliError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message, 2);
    this.name = 'TokenFileError';
  }
}
