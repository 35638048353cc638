import { describe, expect, it } from 'vitest';
import { runFaxgate } from '../testing/run-cli.js';

describe('faxgate CLI', () => {
  it('prints help and exits 0', async () => {
    const r = await runFaxgate(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: faxgate');
    // the CLI logs in as a faxgate user; nobody acts as someone else
    for (const cmd of ['login', 'logout', 'whoami'])
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    expect(r.stdout).toContain('--api <url>');
    expect(r.stdout).not.toContain('--as');
  });
  it('rejects an unknown command with exit code 2', async () => {
    const r = await runFaxgate(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error/i);
  });
});
