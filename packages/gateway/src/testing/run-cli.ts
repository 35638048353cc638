// Runs the real `faxgate` CLI as a child process from its TypeScript sources, the way an
// admin runs it, so tests see exit codes, stdout and stderr exactly. An env value of
// undefined removes that variable (e.g. FAXGATE_TOKEN) from the child's environment.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cliEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line that runs the CLI from its sources (for runuser and the like). */
export function faxgateCommand(args: string[]): string[] {
  return [process.execPath, '--conditions=development', '--import', 'tsx', cliEntry, ...args];
}

export function runFaxgate(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  input?: string,
  wrap: string[] = [],
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const full: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
    const [cmd, ...rest] = [...wrap, ...faxgateCommand(args)];
    const child = spawn(cmd, rest, { env: full, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
