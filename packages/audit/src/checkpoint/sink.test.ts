// The system log sink: logger(1) with tag faxgate-audit when present, else the fallback logger.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOnPath, syslogSink } from './sink.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-sink-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const fakeLogger = (exitCode: number) => {
  const out = path.join(dir, `args-${exitCode}.txt`);
  const bin = path.join(dir, `logger-${exitCode}`);
  fs.writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$@" > '${out}'\nexit ${exitCode}\n`, { mode: 0o755 });
  return { bin, out };
};

describe('syslog sink', () => {
  it('runs logger -t faxgate-audit -- <line>', async () => {
    const { bin, out } = fakeLogger(0);
    const info: string[] = [];
    await syslogSink({ info: (m) => info.push(m) }, { loggerPath: bin }).record('-seq=1 "x"');
    expect(fs.readFileSync(out, 'utf8')).toBe('-t\nfaxgate-audit\n--\n-seq=1 "x"\n');
    expect(info).toEqual([]);
  });

  it('falls back to the logger at info when logger fails or is absent', async () => {
    const { bin } = fakeLogger(1);
    const info: string[] = [];
    const warn: string[] = [];
    await syslogSink({ info: (m) => info.push(m), warn: (m) => warn.push(m) }, { loggerPath: bin }).record(
      'a',
    );
    await syslogSink({ info: (m) => info.push(m) }, { loggerPath: null }).record('b');
    expect(info).toEqual(['a', 'b']);
    expect(warn[0]).toMatch(/system log .* failed/);
  });

  it('finds an executable on PATH only', () => {
    const { bin } = fakeLogger(0);
    expect(findOnPath(path.basename(bin), `/nonexistent${path.delimiter}${dir}`)).toBe(bin);
    fs.writeFileSync(path.join(dir, 'plain'), 'x', { mode: 0o644 });
    expect(findOnPath('plain', dir)).toBeUndefined();
  });
});
