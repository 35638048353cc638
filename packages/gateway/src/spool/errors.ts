// Errors of the spool and temporary areas.

export class SpoolDirError extends Error {
  constructor(
    readonly key: string,
    readonly dir: string,
    message: string,
  ) {
    super(`${key} ${dir}: ${message}`);
    this.name = 'SpoolDirError';
  }
}
