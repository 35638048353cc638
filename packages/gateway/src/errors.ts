// Errors of the daemon's start that belong to no module below it.

/** The daemon will not run with this database role: a configuration problem (exit code 2). */
export class DatabaseRoleError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseRoleError';
  }
}
