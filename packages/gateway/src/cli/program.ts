import { StoreError } from '@faxgate/store';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/errors.js';
import { GATEWAY_VERSION } from '../version.js';
import { commandModules } from './commands/index.js';
import { CliError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('faxgate')
    .description('faxgate: hardened fax gateway for CAPI 2.0 lines')
    .version(GATEWAY_VERSION, '-V, --version')
    .addOption(
      new Option(
        '-c, --config <file>',
        'configuration file (default: /etc/faxgate/faxgate.yaml if present, else built-in defaults)',
      ).env('FAXGATE_CONFIG'),
    )
    .addOption(
      new Option(
        '--api <url>',
        'the gateway API to talk to (default: http://<api.host>:<api.port> of the configuration)',
      ).env('FAXGATE_API_URL'),
    )
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .allowExcessArguments(false)
    .exitOverride();
  for (const register of commandModules) register(program);
  // Every subcommand inherits the strictness and the exit-code handling of the root.
  const harden = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.allowExcessArguments(false).exitOverride().showHelpAfterError();
      harden(sub);
    }
  };
  harden(program);
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
    if (e instanceof StoreError) {
      // unknown name, invalid input or a conflict: the store validated before writing
      err(`faxgate: ${e.message}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      err(`faxgate: configuration ${e.message}`);
      return 2;
    }
    err(`faxgate: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
