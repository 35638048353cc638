// Checkpoints on disk: one JSON file per checkpoint in a directory made 0700, the public key
// beside them (public-key.pem), and exports for auditors (a directory copy, or JSON lines
// carrying the public key too), so that an auditor's copy verifies on its own.
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Checkpoint, CheckpointFormatError, formatCheckpoint, parseCheckpoint } from './format.js';
import { parsePublicKeys } from './keys.js';

export const DEFAULT_CHECKPOINT_DIR = '/var/lib/faxgate/audit-checkpoints';
export const PUBLIC_KEY_FILE = 'public-key.pem';
export const PUBLIC_KEY_FORMAT = 'faxgate-audit-public-key/1';

/** One checkpoint as read, or why it could not be read (a damaged file is reported, never skipped). */
export interface LoadedCheckpoint {
  /** File (and line, for JSON lines) it came from. */
  source: string;
  checkpoint?: Checkpoint;
  error?: string;
}

export interface CheckpointSet {
  checkpoints: LoadedCheckpoint[];
  /** Public keys found with them (public-key.pem, or key lines of an export), by key id. */
  publicKeys: Map<string, KeyObject>;
}

/** Thrown when the path given holds no checkpoints at all or cannot be read. */
export class CheckpointSourceError extends Error {
  override name = 'CheckpointSourceError';
}

const pad = (n: number) => String(n).padStart(16, '0');

/** checkpoint-<seq, 16 digits>-<time without separators>.json: sorts by seq, then time. */
export function checkpointFileName(c: Checkpoint): string {
  return `checkpoint-${pad(c.seq)}-${c.time.replace(/[-:.]/g, '')}.json`;
}

function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}

/** Makes the directory (0700 when it has to be made) and adds the public key to public-key.pem when it is not in it yet. */
export function preparePublicKey(dir: string, publicPem: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, PUBLIC_KEY_FILE);
  let existing = '';
  try {
    existing = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const have = existing ? parsePublicKeysLenient(existing) : new Map();
  const mine = parsePublicKeys(publicPem, 'the checkpoint key');
  if ([...mine.keys()].every((id) => have.has(id))) return;
  // A new key (the old one was replaced): keep the old ones, older checkpoints need them.
  writeAtomic(file, `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}${publicPem}`, 0o644);
}

function parsePublicKeysLenient(text: string): Map<string, KeyObject> {
  try {
    return parsePublicKeys(text, PUBLIC_KEY_FILE);
  } catch {
    return new Map();
  }
}

/** Writes one checkpoint file (atomically, 0644: it holds no secret) and returns its path. */
export function writeCheckpoint(dir: string, c: Checkpoint, publicPem: string): string {
  preparePublicKey(dir, publicPem);
  const file = path.join(dir, checkpointFileName(c));
  writeAtomic(file, formatCheckpoint(c), 0o644);
  return file;
}

function parseLines(text: string, source: string, into: CheckpointSet): void {
  const lines = text.split('\n');
  const many = lines.filter((l) => l.trim()).length > 1;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const where = many ? `${source}:${i + 1}` : source;
    try {
      const o = JSON.parse(line);
      if (o && typeof o === 'object' && o.format === PUBLIC_KEY_FORMAT && typeof o.pem === 'string') {
        for (const [id, k] of parsePublicKeys(o.pem, where)) into.publicKeys.set(id, k);
        return;
      }
    } catch {
      // parseCheckpoint below names the problem
    }
    try {
      into.checkpoints.push({ source: where, checkpoint: parseCheckpoint(line) });
    } catch (e) {
      const why = e instanceof CheckpointFormatError ? e.message : String(e);
      into.checkpoints.push({ source: where, error: `not a valid checkpoint: ${why}` });
    }
  });
}

function readKeysBeside(dir: string, into: CheckpointSet): void {
  const file = path.join(dir, PUBLIC_KEY_FILE);
  if (!fs.existsSync(file)) return;
  for (const [id, k] of parsePublicKeys(fs.readFileSync(file, 'utf8'), file)) into.publicKeys.set(id, k);
}

/**
 * Reads the checkpoints of a directory (every *.json in it, and public-key.pem) or of one file
 * (a checkpoint, or JSON lines as `checkpoints export --out -` writes; public-key.pem beside
 * it is read too). Files that do not parse are returned with their error, never dropped.
 */
export function readCheckpoints(fileOrDir: string): CheckpointSet {
  const set: CheckpointSet = { checkpoints: [], publicKeys: new Map() };
  let st: fs.Stats;
  try {
    st = fs.statSync(fileOrDir);
  } catch (e) {
    throw new CheckpointSourceError(`checkpoints ${fileOrDir}: ${(e as Error).message}`);
  }
  if (st.isDirectory()) {
    const names = fs
      .readdirSync(fileOrDir)
      .filter((n) => n.endsWith('.json'))
      .sort();
    for (const n of names) {
      const file = path.join(fileOrDir, n);
      parseLines(fs.readFileSync(file, 'utf8'), file, set);
    }
    readKeysBeside(fileOrDir, set);
  } else {
    parseLines(fs.readFileSync(fileOrDir, 'utf8'), fileOrDir, set);
    readKeysBeside(path.dirname(fileOrDir), set);
  }
  return set;
}

/** The checkpoints (and public key) as JSON lines: the key line first, then one line per checkpoint in seq order. */
export function checkpointsAsJsonLines(set: CheckpointSet): string {
  const out: string[] = [];
  for (const [keyId, k] of set.publicKeys) {
    out.push(
      JSON.stringify({ format: PUBLIC_KEY_FORMAT, keyId, pem: k.export({ type: 'spki', format: 'pem' }) }),
    );
  }
  const good = set.checkpoints.flatMap((l) => (l.checkpoint ? [l.checkpoint] : []));
  good.sort((a, b) => a.seq - b.seq || a.time.localeCompare(b.time));
  for (const c of good) out.push(formatCheckpoint(c).trimEnd());
  return out.length ? `${out.join('\n')}\n` : '';
}

/** Copies the checkpoints and public key of `set` into `dir` (created 0700): what an auditor takes away. */
export function copyCheckpoints(set: CheckpointSet, dir: string): { files: number } {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let files = 0;
  for (const l of set.checkpoints) {
    if (!l.checkpoint) continue;
    writeAtomic(path.join(dir, checkpointFileName(l.checkpoint)), formatCheckpoint(l.checkpoint), 0o644);
    files++;
  }
  const pems = [...set.publicKeys.values()].map((k) => k.export({ type: 'spki', format: 'pem' }) as string);
  if (pems.length) writeAtomic(path.join(dir, PUBLIC_KEY_FILE), pems.join(''), 0o644);
  return { files };
}
