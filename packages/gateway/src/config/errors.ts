// The configuration's one error: what is wrong with a file or the environment, key by key.

/** A configuration problem; `problems` holds one line per bad key ("api.port: expected …"). */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[], where: string) {
    super(
      problems.length === 1
        ? `${where}: ${problems[0]}`
        : `${where}: ${problems.length} problems\n  ${problems.join('\n  ')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
