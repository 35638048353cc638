// The checkpoint signing key: an Ed25519 private key in a PEM (PKCS#8) file outside the
// database, readable by its owner only. Created on first use; a key file that group or
// others could read is refused, since whoever reads it can sign forged checkpoints.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const DEFAULT_CHECKPOINT_KEY_FILE = '/etc/faxgate/audit-checkpoint.key';

/** The key file is missing, unsafe or not an Ed25519 key. */
export class CheckpointKeyError extends Error {
  override name = 'CheckpointKeyError';
}

export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  /** The public key as PEM (SPKI), what auditors verify with. */
  publicPem: string;
  file: string;
}

/** First 16 hex digits of SHA-256 over the public key's SPKI DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** Reads the key; with `create`, makes a new one (0600, parent 0700 when it has to be made) when the file is absent. */
export function loadCheckpointKey(file: string, options: { create?: boolean } = {}): CheckpointKey {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CheckpointKeyError(`checkpoint key ${file}: ${(e as Error).message}`);
    }
    if (!options.create) {
      throw new CheckpointKeyError(
        `checkpoint key ${file} does not exist (create it with: faxgate audit checkpoint --init-key)`,
      );
    }
    return createCheckpointKey(file);
  }
  if (!st.isFile()) throw new CheckpointKeyError(`checkpoint key ${file} is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    throw new CheckpointKeyError(
      `checkpoint key ${file} is readable or writable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): refused; chmod 600 it, and replace the key if others may have read it`,
    );
  }
  return keyFromPem(fs.readFileSync(file, 'utf8'), file);
}

function createCheckpointKey(file: string): CheckpointKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // 'wx': never overwrite a key that appeared meanwhile; 0600 from the first byte.
    fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadCheckpointKey(file);
    throw new CheckpointKeyError(`checkpoint key ${file}: cannot create it: ${(e as Error).message}`);
  }
  return keyFromPem(pem, file);
}

function keyFromPem(pem: string, file: string): CheckpointKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new CheckpointKeyError(`checkpoint key ${file}: not a PEM private key (${(e as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new CheckpointKeyError(
      `checkpoint key ${file}: expected an Ed25519 key, got ${privateKey.asymmetricKeyType ?? 'unknown'}`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    file,
  };
}

/** The Ed25519 public keys in a PEM text (one or more PUBLIC KEY blocks), by key id. */
export function parsePublicKeys(pem: string, source: string): Map<string, KeyObject> {
  const blocks = pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) throw new CheckpointKeyError(`${source}: no PEM public key in it`);
  const keys = new Map<string, KeyObject>();
  for (const b of blocks) {
    let k: KeyObject;
    try {
      k = createPublicKey(b);
    } catch (e) {
      throw new CheckpointKeyError(`${source}: not a public key (${(e as Error).message})`);
    }
    if (k.asymmetricKeyType !== 'ed25519') throw new CheckpointKeyError(`${source}: not an Ed25519 key`);
    keys.set(keyIdOf(k), k);
  }
  return keys;
}

/** Reads a public key file (`--public-key FILE`). */
export function readPublicKeyFile(file: string): Map<string, KeyObject> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CheckpointKeyError(`public key ${file}: ${(e as Error).message}`);
  }
  return parsePublicKeys(text, `public key ${file}`);
}
