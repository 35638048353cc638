// The demo's one error: a bad value in its environment (exit code 2).

/** `$FAXGATE_DEMO_…` holds something the demo cannot use. */
export class DemoInputError extends Error {}
