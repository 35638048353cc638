// One archive package per fax: a directory `fax-<id>` holding the pages as a PDF and as one
// TIFF Class F, the fax record as JSON, the fax's audit events and send/receive log rows as
// JSON lines, and MANIFEST.sha256 (`sha256sum -c` reads it) naming every other file with its
// SHA-256. Written into a temporary directory (0700, files 0600, each fsynced), verified there,
// then renamed into place: a package under its final name is always complete.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const PACKAGE_FORMAT = 'faxgate-archive/1';
export const MANIFEST = 'MANIFEST.sha256';
export const TMP_PREFIX = '.tmp-';

/** The files of a package, by name, before they are written. */
export type PackageFiles = ReadonlyMap<string, Uint8Array>;

export const packageName = (faxId: number) => `fax-${faxId}`;

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const LINE = /^([0-9a-f]{64}) {2}(\S+)$/;

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export function manifestOf(files: PackageFiles): string {
  const names = [...files.keys()].sort();
  return names.map((n) => `${sha256(files.get(n) as Uint8Array)}  ${n}\n`).join('');
}

async function writeDurable(file: string, data: Uint8Array | string): Promise<void> {
  const h = await fs.open(file, 'wx', 0o600);
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Creates the archive root (0700) when missing; refuses a symlink or a non-directory. */
export async function prepareArchiveRoot(root: string): Promise<void> {
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const st = await fs.lstat(root);
  if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`archive.dir ${root}: is not a directory`);
}

/** Removes temporary directories a crashed run left (runs never overlap: the job's lock). */
export async function removeStaleTemporaries(root: string): Promise<number> {
  let n = 0;
  for (const e of await fs.readdir(root, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith(TMP_PREFIX)) {
      await fs.rm(path.join(root, e.name), { recursive: true, force: true });
      n++;
    }
  }
  return n;
}

export interface WrittenPackage {
  dir: string;
  /** SHA-256 of MANIFEST.sha256: names the whole package in the audit event. */
  manifestSha256: string;
}

/**
 * Writes the package `name` under `root` atomically and verifies it before it is renamed into
 * place. Throws when `name` exists already (the caller verifies and reuses it).
 */
export async function writePackage(root: string, name: string, files: PackageFiles): Promise<WrittenPackage> {
  for (const n of files.keys()) {
    if (!FILE_NAME.test(n) || n === MANIFEST) throw new Error(`bad package file name ${JSON.stringify(n)}`);
  }
  const final = path.join(root, name);
  const tmp = path.join(root, `${TMP_PREFIX}${name}-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(tmp, { mode: 0o700 });
  try {
    for (const [n, data] of files) await writeDurable(path.join(tmp, n), data);
    const manifest = manifestOf(files);
    await writeDurable(path.join(tmp, MANIFEST), manifest);
    await syncDir(tmp);
    const check = await verifyPackage(tmp);
    if (!check.ok)
      throw new Error(`archive package ${name} did not verify after writing: ${check.problems[0]}`);
    // rename() onto an existing directory would replace an empty one: refuse explicitly.
    if (await exists(final)) throw new Error(`archive package ${final} exists already`);
    await fs.rename(tmp, final);
    await syncDir(root);
    return { dir: final, manifestSha256: sha256(Buffer.from(manifest)) };
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

export interface PackageCheck {
  dir: string;
  ok: boolean;
  problems: string[];
  manifestSha256?: string;
}

/** Checks one package: every file listed with its hash, nothing unlisted, the metadata readable. */
export async function verifyPackage(dir: string): Promise<PackageCheck> {
  const problems: string[] = [];
  let manifest: Buffer;
  try {
    manifest = await fs.readFile(path.join(dir, MANIFEST));
  } catch (e) {
    return {
      dir,
      ok: false,
      problems: [`${MANIFEST}: cannot be read (${(e as NodeJS.ErrnoException).code})`],
    };
  }
  const listed = new Map<string, string>();
  const lines = manifest.toString('utf8').split('\n');
  if (lines.pop() !== '') problems.push(`${MANIFEST}: does not end with a newline`);
  lines.forEach((line, i) => {
    const m = LINE.exec(line);
    if (!m || !FILE_NAME.test(m[2]) || m[2] === MANIFEST)
      problems.push(`${MANIFEST}: line ${i + 1} is malformed`);
    else if (listed.has(m[2])) problems.push(`${MANIFEST}: ${m[2]} listed twice`);
    else listed.set(m[2], m[1]);
  });
  const present = new Set<string>();
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    if (e.name === MANIFEST) continue;
    present.add(e.name);
    if (!listed.has(e.name)) problems.push(`${e.name}: not in ${MANIFEST}`);
    else if (!e.isFile()) problems.push(`${e.name}: not a regular file`);
  }
  for (const [name, want] of listed) {
    if (!present.has(name)) {
      problems.push(`${name}: missing`);
      continue;
    }
    const got = sha256(await fs.readFile(path.join(dir, name)).catch(() => Buffer.alloc(0)));
    if (got !== want) problems.push(`${name}: SHA-256 ${got} differs from the manifest's ${want}`);
  }
  if (!listed.has('metadata.json')) problems.push('metadata.json: missing from the package');
  else if (present.has('metadata.json')) {
    try {
      const meta = JSON.parse(await fs.readFile(path.join(dir, 'metadata.json'), 'utf8'));
      if (meta?.format !== PACKAGE_FORMAT) problems.push(`metadata.json: format is not ${PACKAGE_FORMAT}`);
    } catch {
      problems.push('metadata.json: not JSON');
    }
  }
  return { dir, ok: problems.length === 0, problems, manifestSha256: sha256(manifest) };
}

export interface ArchiveCheck {
  packages: PackageCheck[];
  /** Temporary directories of an interrupted run (not packages; removed by the next run). */
  incomplete: string[];
  ok: boolean;
}

/** `faxgate archive verify [DIR]`: DIR is the archive (every fax-* package) or one package. */
export async function verifyArchive(dir: string): Promise<ArchiveCheck> {
  if (await exists(path.join(dir, MANIFEST))) {
    const one = await verifyPackage(dir);
    return { packages: [one], incomplete: [], ok: one.ok };
  }
  const packages: PackageCheck[] = [];
  const incomplete: string[] = [];
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.name.startsWith(TMP_PREFIX)) incomplete.push(p);
    else if (e.isDirectory() && /^fax-\d+$/.test(e.name)) packages.push(await verifyPackage(p));
    else packages.push({ dir: p, ok: false, problems: ['not an archive package (fax-<id> directory)'] });
  }
  return { packages, incomplete, ok: packages.every((p) => p.ok) };
}
