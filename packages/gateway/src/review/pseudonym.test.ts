// Pseudonyms of remote numbers: keyed (another key, another pseudonym), stable within one
// key, formatting-insensitive; who gets them; a missing or loose key file is an error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  needsPseudonyms,
  PseudonymKeyError,
  pseudonymiserFor,
  pseudonymOf,
  readPseudonymKey,
} from './pseudonym.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-pseudonym-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function keyFile(name: string, bytes: Buffer, mode = 0o600): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes, { mode });
  fs.chmodSync(f, mode);
  return f;
}

describe('pseudonyms', () => {
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);

  it('maps a number to the same pseudonym under one key, whatever its formatting, and differently under another', () => {
    const p = pseudonymOf(k1, '+49 30 5551000');
    expect(p).toMatch(/^pn-[0-9a-f]{16}$/);
    expect(pseudonymOf(k1, '+49305551000')).toBe(p);
    expect(pseudonymOf(k1, '+49-30-555/1000')).toBe(p);
    expect(pseudonymOf(k1, '+49305551001')).not.toBe(p);
    expect(pseudonymOf(k2, '+49305551000')).not.toBe(p);
    expect(p).not.toContain('5551000');
    // names and station ids without digits stay apart
    expect(pseudonymOf(k1, 'ACME Corp')).toBe(pseudonymOf(k1, ' acme corp'));
    expect(pseudonymOf(k1, 'ACME Corp')).not.toBe(pseudonymOf(k1, 'Other Ltd'));
  });

  it('applies only when every role of the caller is listed', () => {
    const privacy = { pseudonymiseNumbersFor: ['auditor'] as const, pseudonymKeyFile: '/nonexistent' };
    expect(needsPseudonyms(privacy, ['auditor'])).toBe(true);
    expect(needsPseudonyms(privacy, ['auditor', 'admin'])).toBe(false);
    expect(needsPseudonyms(privacy, ['postoffice'])).toBe(false);
    expect(needsPseudonyms({ ...privacy, pseudonymiseNumbersFor: [] }, ['auditor'])).toBe(false);
    expect(pseudonymiserFor(privacy, ['admin'])).toBeNull();
  });

  it('reads a private key file of 16+ bytes and refuses a missing, short or group-readable one', () => {
    const good = keyFile('good.key', k1);
    const privacy = { pseudonymiseNumbersFor: ['auditor'] as const, pseudonymKeyFile: good };
    const ps = pseudonymiserFor(privacy, ['auditor']);
    expect(ps?.('+49305551000')).toBe(pseudonymOf(k1, '+49305551000'));
    expect(ps?.(null)).toBeNull();
    expect(() => readPseudonymKey(path.join(dir, 'missing.key'))).toThrow(/does not exist/);
    expect(() => readPseudonymKey(keyFile('short.key', Buffer.alloc(8, 3)))).toThrow(/fewer than 16 bytes/);
    expect(() => readPseudonymKey(keyFile('loose.key', k1, 0o640))).toThrow(PseudonymKeyError);
    expect(() =>
      pseudonymiserFor({ ...privacy, pseudonymKeyFile: path.join(dir, 'missing.key') }, ['auditor']),
    ).toThrow(PseudonymKeyError);
  });
});
