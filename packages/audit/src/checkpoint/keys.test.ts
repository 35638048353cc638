// The signing key file: created 0600, refused when group or others can read it, Ed25519 only.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointKeyError, loadCheckpointKey, parsePublicKeys } from './keys.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-cpkey-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('checkpoint key', () => {
  it('is created 0600 (parent 0700) on first use and read back as the same key', () => {
    const file = path.join(dir, 'etc', 'audit-checkpoint.key');
    const k = loadCheckpointKey(file, { create: true });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(k.keyId).toMatch(/^[0-9a-f]{16}$/);
    const again = loadCheckpointKey(file);
    expect(again.keyId).toBe(k.keyId);
    expect([...parsePublicKeys(k.publicPem, 'pem').keys()]).toEqual([k.keyId]);
  });

  it('is not created without create, and the message says how', () => {
    expect(() => loadCheckpointKey(path.join(dir, 'none.key'))).toThrow(/does not exist.*--init-key/);
  });

  it.each([0o644, 0o640, 0o604, 0o660])('mode %o is refused', (mode) => {
    const file = path.join(dir, 'k.key');
    loadCheckpointKey(file, { create: true });
    fs.chmodSync(file, mode);
    expect(() => loadCheckpointKey(file)).toThrow(CheckpointKeyError);
    expect(() => loadCheckpointKey(file)).toThrow(/group or others.*refused/);
  });

  it('refuses a key that is not Ed25519, and a file that is not a key', () => {
    const rsa = path.join(dir, 'rsa.key');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    fs.writeFileSync(rsa, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(() => loadCheckpointKey(rsa)).toThrow(/expected an Ed25519 key, got rsa/);
    const junk = path.join(dir, 'junk.key');
    fs.writeFileSync(junk, 'hello', { mode: 0o600 });
    expect(() => loadCheckpointKey(junk)).toThrow(/not a PEM private key/);
  });
});
