// What a signed audit checkpoint is — a small self-describing JSON file — and the exact
// bytes its Ed25519 signature covers. Pure: no files, no database.
import { type KeyObject, sign, verify } from 'node:crypto';

export const CHECKPOINT_FORMAT = 'faxgate-audit-checkpoint/1';

/** The chain head at one moment: its sequence number and hash, in the database named. */
export interface CheckpointBody {
  /** seq of the last sealed event (audit_head.seq). */
  seq: number;
  /** Its hash (audit_head.hash), 64 lowercase hex digits. */
  hash: string;
  /** When the checkpoint was taken, ISO 8601 UTC with milliseconds. */
  time: string;
  /** current_database() of the trail, so that one directory may hold several trails' checkpoints. */
  database: string;
}

export interface Checkpoint extends CheckpointBody {
  format: typeof CHECKPOINT_FORMAT;
  /** Which key signed it: the first 16 hex digits of SHA-256 over the public key (SPKI DER). */
  keyId: string;
  /** Ed25519 signature over checkpointSignedBytes(), base64. */
  signature: string;
}

/** A checkpoint file that could not be read as one. */
export class CheckpointFormatError extends Error {
  override name = 'CheckpointFormatError';
}

const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// A database name as it goes into the signed bytes: no line breaks, nothing unprintable.
const DB_NAME = /^[^\u0000-\u001f\u007f]{1,63}$/;

/**
 * The signed bytes, one `key=value` line each, in this order, every line ending in LF, ASCII
 * except the database name (UTF-8):
 *
 *   faxgate-audit-checkpoint/1
 *   seq=<decimal, no leading zeros>
 *   hash=<64 lowercase hex>
 *   time=<YYYY-MM-DDTHH:MM:SS.mmmZ>
 *   database=<name>
 *   keyId=<16 lowercase hex>
 */
export function checkpointSignedBytes(c: CheckpointBody & { keyId: string }): Buffer {
  checkBody(c);
  if (!KEY_ID.test(c.keyId)) throw new CheckpointFormatError('keyId must be 16 lowercase hex digits');
  return Buffer.from(
    `${CHECKPOINT_FORMAT}\nseq=${c.seq}\nhash=${c.hash}\ntime=${c.time}\ndatabase=${c.database}\nkeyId=${c.keyId}\n`,
    'utf8',
  );
}

function checkBody(c: CheckpointBody): void {
  if (!Number.isSafeInteger(c.seq) || c.seq < 0)
    throw new CheckpointFormatError('seq must be a non-negative integer');
  if (typeof c.hash !== 'string' || !HEX64.test(c.hash))
    throw new CheckpointFormatError('hash must be 64 lowercase hex digits');
  if (typeof c.time !== 'string' || !ISO.test(c.time) || Number.isNaN(Date.parse(c.time)))
    throw new CheckpointFormatError('time must be ISO 8601 UTC with milliseconds');
  if (typeof c.database !== 'string' || !DB_NAME.test(c.database))
    throw new CheckpointFormatError('database must be a database name');
}

/** Signs the body with the private key whose id is `keyId`. */
export function signCheckpoint(
  body: CheckpointBody,
  key: { privateKey: KeyObject; keyId: string },
): Checkpoint {
  const bytes = checkpointSignedBytes({ ...body, keyId: key.keyId });
  return {
    format: CHECKPOINT_FORMAT,
    seq: body.seq,
    hash: body.hash,
    time: body.time,
    database: body.database,
    keyId: key.keyId,
    signature: sign(null, bytes, key.privateKey).toString('base64'),
  };
}

/** The file's text: one JSON object in a fixed key order, then LF. */
export function formatCheckpoint(c: Checkpoint): string {
  const { format, seq, hash, time, database, keyId, signature } = c;
  return `${JSON.stringify({ format, seq, hash, time, database, keyId, signature })}\n`;
}

/** Parses and checks the shape of a checkpoint (not its signature). */
export function parseCheckpoint(text: string): Checkpoint {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CheckpointFormatError('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new CheckpointFormatError('not a JSON object');
  const o = v as Record<string, unknown>;
  if (o.format !== CHECKPOINT_FORMAT)
    throw new CheckpointFormatError(`format is not ${JSON.stringify(CHECKPOINT_FORMAT)}`);
  const extra = Object.keys(o).filter(
    (k) => !['format', 'seq', 'hash', 'time', 'database', 'keyId', 'signature'].includes(k),
  );
  if (extra.length) throw new CheckpointFormatError(`unknown keys: ${extra.join(', ')}`);
  const c = o as unknown as Checkpoint;
  checkpointSignedBytes(c); // checks every signed field
  if (typeof c.signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(c.signature))
    throw new CheckpointFormatError('signature must be 64 bytes in base64');
  return c;
}

export type SignatureCheck = 'ok' | 'bad-signature' | 'unknown-key';

/** Checks the signature with the public key of its keyId among `keys` (keyId → key). */
export function checkSignature(c: Checkpoint, keys: ReadonlyMap<string, KeyObject>): SignatureCheck {
  const key = keys.get(c.keyId);
  if (!key) return 'unknown-key';
  try {
    return verify(null, checkpointSignedBytes(c), key, Buffer.from(c.signature, 'base64'))
      ? 'ok'
      : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
}
