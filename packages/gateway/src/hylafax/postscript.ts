// PostScript → PDF for HylaFAX clients (sendfax turns text files into PostScript): Ghostscript
// in a separate process under bubblewrap — no network, no capabilities, uid 65534, a
// read-only /usr, a small private /tmp, nothing of the gateway's environment — with an
// address-space and CPU limit (prlimit) and a wall-clock timeout. The PDF then takes the
// ordinary document path (the render pool). PostScript is a programming language: it never
// runs in the gateway's process or with its files.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface PostscriptLimits {
  seconds: number;
  memoryBytes: number;
  /** Largest PDF accepted back. */
  maxOutputBytes: number;
}

export class PostscriptError extends Error {}

/** The command line: bwrap … -- prlimit … -- gs …, reading PostScript on stdin, PDF on stdout. */
export function ghostscriptCommand(limits: PostscriptLimits, bwrap = '/usr/bin/bwrap'): string[] {
  const a = [
    bwrap,
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const top of ['/bin', '/sbin', '/lib', '/lib64']) {
    try {
      const st = fs.lstatSync(top);
      if (st.isSymbolicLink()) a.push('--symlink', fs.readlinkSync(top), top);
      else if (st.isDirectory()) a.push('--ro-bind', top, top);
    } catch {
      // not on this system
    }
  }
  for (const etc of ['/etc/ld.so.cache', '/etc/ghostscript', '/etc/fonts']) a.push('--ro-bind-try', etc, etc);
  a.push('--proc', '/proc', '--dev', '/dev', '--size', String(64 * 1024 * 1024), '--tmpfs', '/tmp');
  a.push('--remount-ro', '/', '--chdir', '/tmp', '--clearenv', '--setenv', 'PATH', '/usr/bin');
  a.push('--setenv', 'TMPDIR', '/tmp', '--setenv', 'HOME', '/tmp', '--');
  a.push('prlimit', `--as=${limits.memoryBytes}`, `--cpu=${limits.seconds}`, '--');
  a.push(
    'gs',
    '-q',
    '-dSAFER',
    '-dBATCH',
    '-dNOPAUSE',
    '-dNOINTERPOLATE',
    '-sDEVICE=pdfwrite',
    '-sOutputFile=%stdout',
    '-_',
  );
  return a;
}

/** Converts PostScript to PDF in the sandbox; throws PostscriptError on failure or over a limit. */
export function postscriptToPdf(ps: Uint8Array, limits: PostscriptLimits): Promise<Uint8Array> {
  const [cmd, ...args] = ghostscriptCommand(limits);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    const out: Buffer[] = [];
    let size = 0;
    let err = '';
    let failed: string | undefined;
    const fail = (why: string) => {
      failed ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => fail(`Ghostscript took longer than ${limits.seconds} s`),
      limits.seconds * 1000,
    );
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > limits.maxOutputBytes) fail('the converted document is too large');
      else out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 2000) err += d.toString('utf8');
    });
    child.stdin.on('error', () => {}); // gs may stop reading (a broken file): its exit says why
    child.on('error', (e) => fail(`Ghostscript could not be started: ${e.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failed) return reject(new PostscriptError(failed));
      if (code !== 0) {
        const said = err.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
        return reject(new PostscriptError(`PostScript not converted (${signal ?? `exit ${code}`}): ${said}`));
      }
      const pdf = Buffer.concat(out);
      if (!pdf.subarray(0, 5).equals(Buffer.from('%PDF-')))
        return reject(new PostscriptError('PostScript not converted: no PDF came out'));
      resolve(new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.length));
    });
    child.stdin.end(Buffer.from(ps.buffer, ps.byteOffset, ps.length));
  });
}
