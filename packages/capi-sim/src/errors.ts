// Typed errors of the simulator. Named Sim… because the gateway and fax-core have their own
// configuration and document errors, which mean other things.

/** A simulator configuration (file, CLI flags or control-API body) that cannot be used. */
export class SimConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimConfigError';
  }
}

/** A document a simulated fax sender was given cannot be read (type, size, no pages). */
export class SimDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimDocumentError';
  }
}
