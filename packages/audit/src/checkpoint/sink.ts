// Where a checkpoint is announced besides its file: the system log (a second copy outside
// the database, usually shipped off the host by the log system). `logger` (util-linux) with
// tag faxgate-audit when it is installed, else the caller's logger at info. Pluggable, so
// tests use a fake.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Checkpoint } from './format.js';

export interface CheckpointSink {
  /** Records one line; never throws (a failing system log must not stop the daemon). */
  record(line: string): Promise<void>;
}

/** The one-line record: every signed field, so the log alone can re-check a checkpoint. */
export function checkpointLogLine(c: Checkpoint, file: string): string {
  return `faxgate audit checkpoint seq=${c.seq} hash=${c.hash} time=${c.time} database=${JSON.stringify(c.database)} keyId=${c.keyId} signature=${c.signature} file=${file}`;
}

/** The first executable `name` on PATH, if any. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The system log sink: `logger -t faxgate-audit -- <line>` when `logger` is found (at
 * creation), else `fallback.info(line)`; when logger fails, the fallback gets the line too.
 */
export function syslogSink(
  fallback: { info(msg: string): unknown; warn?(msg: string): unknown },
  options: { loggerPath?: string | null } = {},
): CheckpointSink {
  const bin = options.loggerPath === null ? undefined : (options.loggerPath ?? findOnPath('logger'));
  return {
    async record(line) {
      if (!bin) {
        fallback.info(line);
        return;
      }
      await new Promise<void>((resolve) => {
        execFile(bin, ['-t', 'faxgate-audit', '--', line], { timeout: 5000 }, (err) => {
          if (err) {
            fallback.warn?.(`system log (${bin}) failed: ${err.message}`);
            fallback.info(line);
          }
          resolve();
        });
      });
    },
  };
}
