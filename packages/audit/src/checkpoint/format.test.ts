// Checkpoint format: the signed bytes as documented, signatures that catch any edit.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  checkpointSignedBytes,
  checkSignature,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './format.js';
import { keyIdOf } from './keys.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
};
const body = { seq: 42, hash: 'ab'.repeat(32), time: '2026-12-07T06:00:00.123Z', database: 'faxgate' };

describe('checkpoint format', () => {
  it('signs exactly the documented bytes', () => {
    expect(checkpointSignedBytes({ ...body, keyId: '0123456789abcdef' }).toString('utf8')).toBe(
      `faxgate-audit-checkpoint/1\nseq=42\nhash=${'ab'.repeat(32)}\ntime=2026-12-07T06:00:00.123Z\ndatabase=faxgate\nkeyId=0123456789abcdef\n`,
    );
  });

  it('round-trips through its file text and verifies with its key only', () => {
    const k = pair();
    const c = signCheckpoint(body, k);
    const back = parseCheckpoint(formatCheckpoint(c));
    expect(back).toEqual(c);
    expect(checkSignature(back, new Map([[k.keyId, k.publicKey]]))).toBe('ok');
    const other = pair();
    expect(checkSignature(back, new Map([[other.keyId, other.publicKey]]))).toBe('unknown-key');
    // Another key under this key's id: the signature does not hold.
    expect(checkSignature(back, new Map([[k.keyId, other.publicKey]]))).toBe('bad-signature');
  });

  it.each([
    ['seq', { seq: 43 }],
    ['hash', { hash: 'cd'.repeat(32) }],
    ['time', { time: '2026-12-07T06:00:00.124Z' }],
    ['database', { database: 'faxgate2' }],
  ])('an edited %s breaks the signature', (_f, edit) => {
    const k = pair();
    const c: Checkpoint = { ...signCheckpoint(body, k), ...edit };
    expect(checkSignature(parseCheckpoint(formatCheckpoint(c)), new Map([[k.keyId, k.publicKey]]))).toBe(
      'bad-signature',
    );
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['wrong format', JSON.stringify({ format: 'x' }), /format is not/],
    ['extra key', JSON.stringify({ format: 'faxgate-audit-checkpoint/1', extra: 1 }), /unknown keys: extra/],
    ['bad hash', JSON.stringify({ format: 'faxgate-audit-checkpoint/1', seq: 1, hash: 'x' }), /hash must be/],
    [
      'a line break in the database name',
      JSON.stringify({
        format: 'faxgate-audit-checkpoint/1',
        seq: 1,
        hash: 'ab'.repeat(32),
        time: body.time,
        database: 'a\nseq=9',
        keyId: '0123456789abcdef',
        signature: 'A'.repeat(86) + '==',
      }),
      /database must be/,
    ],
  ])('refuses %s', (_what, text, why) => {
    expect(() => parseCheckpoint(text)).toThrow(why);
  });
});
