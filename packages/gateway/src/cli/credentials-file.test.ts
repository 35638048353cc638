// The token file of `faxgate login`: private from the start (dir 0700, file 0600), one entry
// per API URL, and refused — never used — when others can read it, when it belongs to
// someone else, or when it is damaged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  discardTokenFile,
  readStoredToken,
  removeStoredToken,
  storeToken,
  tokenFilePath,
} from './credentials-file.js';
import { TokenFileError } from './errors.js';

let dir: string;
let file: string;
const A = 'http://127.0.0.1:8025';
const B = 'https://fax.example.org';

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-token-'));
  file = path.join(dir, 'cfg', 'faxgate', 'token');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('token file', () => {
  it('lives under $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(tokenFilePath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/a' })).toBe('/x/cfg/faxgate/token');
    expect(tokenFilePath({ HOME: '/home/a' })).toBe('/home/a/.config/faxgate/token');
    // a relative XDG_CONFIG_HOME is ignored, as the spec says
    expect(tokenFilePath({ XDG_CONFIG_HOME: 'rel', HOME: '/home/a' })).toBe('/home/a/.config/faxgate/token');
  });

  it('is created 0600 in a 0700 directory, keeps one entry per API URL, and goes with the last', () => {
    storeToken(A, { token: 'fgs_a', user: 'alice', expiresAt: null }, file);
    storeToken(B, { token: 'fgt_b', user: 'bob', expiresAt: '2030-01-01T00:00:00.000Z' }, file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readStoredToken(A, file)?.token).toBe('fgs_a');
    expect(readStoredToken(B, file)?.user).toBe('bob');
    expect(readStoredToken('http://127.0.0.1:9999', file)).toBeNull();
    expect(removeStoredToken(A, file)).toBe(true);
    expect(removeStoredToken(A, file)).toBe(false);
    expect(readStoredToken(B, file)?.token).toBe('fgt_b');
    expect(removeStoredToken(B, file)).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('tightens a directory others can enter', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.dirname(file), 0o755);
    storeToken(A, { token: 'fgs_a', user: 'alice', expiresAt: null }, file);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('refuses a file others can read or write, without using it', () => {
    storeToken(A, { token: 'fgs_a', user: 'alice', expiresAt: null }, file);
    for (const mode of [0o644, 0o640, 0o602]) {
      fs.chmodSync(file, mode);
      expect(() => readStoredToken(A, file)).toThrow(TokenFileError);
      expect(() => readStoredToken(A, file)).toThrow(`mode ${mode.toString(8)}`);
      expect(() => storeToken(A, { token: 'x', user: 'y', expiresAt: null }, file)).toThrow(TokenFileError);
    }
    discardTokenFile(file);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses a file of another user (when root can hand one over), a symlink, and a damaged file', () => {
    storeToken(A, { token: 'fgs_a', user: 'alice', expiresAt: null }, file);
    if (process.getuid?.() === 0) {
      fs.chownSync(file, 65534, 65534);
      expect(() => readStoredToken(A, file)).toThrow(/belongs to uid 65534, not to you/);
      fs.chownSync(file, 0, 0);
    }
    const link = path.join(dir, 'link');
    fs.symlinkSync(file, link);
    expect(() => readStoredToken(A, link)).toThrow(/not a regular file/);
    fs.writeFileSync(file, '{not json', { mode: 0o600 });
    expect(() => readStoredToken(A, file)).toThrow(/is damaged/);
    fs.writeFileSync(file, '[1,2]', { mode: 0o600 });
    expect(() => readStoredToken(A, file)).toThrow(/is damaged/);
  });
});
