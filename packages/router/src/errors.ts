// Typed errors of the router: a bad number a user typed, or a bad routing configuration.

/** What is wrong with a number, machine-readable (the message says it for people). */
export type NumberProblem =
  | 'empty'
  | 'not-a-string'
  | 'bad-character'
  | 'misplaced-plus'
  | 'too-long'
  | 'too-short'
  | 'needs-area-code'
  | 'needs-outside-line-prefix'
  | 'bad-country-code'
  | 'local-too-long';

/** A destination or called/calling number that cannot be understood; never dialled. */
export class NumberError extends Error {
  readonly problem: NumberProblem;
  /** The input as given (truncated to 64 characters so hostile input cannot bloat logs). */
  readonly input: string;
  constructor(problem: NumberProblem, input: unknown, detail: string) {
    const shown = typeof input === 'string' ? input.slice(0, 64) : String(typeof input);
    super(`number ${JSON.stringify(shown)}: ${detail}`);
    this.name = 'NumberError';
    this.problem = problem;
    this.input = shown;
  }
}

/** An invalid routing configuration; `problems` holds one line per bad key ("inbound.rules.2.mailbox: …"). */
export class RouterConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      problems.length === 1
        ? `routing configuration: ${problems[0]}`
        : `routing configuration: ${problems.length} problems\n  ${problems.join('\n  ')}`,
    );
    this.name = 'RouterConfigError';
    this.problems = problems;
  }
}
