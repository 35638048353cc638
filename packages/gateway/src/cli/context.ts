// What every command needs: the global options (--config, --api), the configuration, and
// output helpers. User-level commands reach the gateway through api-client.ts.
import os from 'node:os';
import type { Command } from 'commander';
import { ConfigError } from '../config/errors.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import { CliError } from './errors.js';

export interface GlobalOptions {
  config?: string;
  /** The gateway's API URL (--api or $FAXGATE_API_URL). */
  api?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** Loads the configuration named by --config / $FAXGATE_CONFIG; problems become exit code 2. */
export function cliConfig(cmd: Command): LoadedConfig {
  try {
    return loadConfig({ path: globalOptions(cmd).config });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`configuration ${e.message}`, 2);
    throw e;
  }
}

/** The OS account running the CLI, as the system commands name it in the audit trail. */
export function osActor(): string {
  let name: string;
  try {
    name = os.userInfo().username;
  } catch {
    name = `uid${process.getuid?.() ?? 'unknown'}`;
  }
  return `cli:${name}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}
