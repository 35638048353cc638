// Passwords reach the CLI only through standard input or a no-echo prompt — never as an
// argument (visible in `ps` and shell history) and never in a log line.
import { CliError } from './errors.js';

const MAX_PASSWORD_INPUT = 4096;

/** All of standard input (at most 4 KiB), without one trailing line break. */
export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_PASSWORD_INPUT)
      throw new CliError(`password input longer than ${MAX_PASSWORD_INPUT} bytes`, 2);
    chunks.push(b);
  }
  // One trailing line break is the end of the line, not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new CliError('password entry cancelled', 2));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (value.length < MAX_PASSWORD_INPUT) value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/**
 * The password from standard input (when asked to, or when it is not a terminal), else
 * from a no-echo prompt (twice when `confirm`).
 */
export async function readPassword(opts: {
  stdin: boolean;
  confirm?: boolean;
  prompt?: string;
}): Promise<string> {
  let password: string;
  if (opts.stdin || !process.stdin.isTTY) {
    password = await readAllStdin();
  } else {
    password = await promptHidden(opts.prompt ?? 'New password: ');
    if (opts.confirm && (await promptHidden('Repeat password: ')) !== password) {
      throw new CliError('the passwords do not match', 2);
    }
  }
  if (password === '') throw new CliError('empty password', 2);
  return password;
}
