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
