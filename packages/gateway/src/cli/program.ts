import { Command, CommanderError } from 'commander';
import { commandModules } from './commands/index.js';
import { CliError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('faxgate')
    .description('faxgate: hardened fax gateway for CAPI 2.0 lines')
    .showHelpAfterError()
    .allowExcessArguments(false)
    .exitOverride();
  for (const register of commandModules) register(program);
  return program;
}

/** Runs the CLI and returns the exit code (0 ok, 1 check failed, 2 bad input/usage). */
export async function runCli(
  argv: string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
) {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit through here with code 0
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      err(`faxgate: ${e.message}`);
      return e.exitCode;
    }
    err(`faxgate: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
