// Finds, reads and validates the configuration: --config FILE, else $FAXGATE_CONFIG, else
// /etc/faxgate/faxgate.yaml when present, else built-in defaults. Secrets can come from the
// environment so they need not sit in the file.
import fs from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { configSchema, DEFAULT_CONFIG_PATH, type FaxgateConfig } from './schema.js';

/** Environment variables that override a config key, highest precedence first per key. */
export const ENV_OVERRIDES: ReadonlyArray<{ env: string; path: readonly [string, string] }> = [
  { env: 'FAXGATE_DATABASE_URL', path: ['database', 'url'] },
  { env: 'DATABASE_URL', path: ['database', 'url'] },
  { env: 'FAXGATE_DATABASE_OWNER_URL', path: ['database', 'ownerUrl'] },
  { env: 'FAXGATE_REDIS_URL', path: ['redis', 'url'] },
  { env: 'REDIS_URL', path: ['redis', 'url'] },
  { env: 'FAXGATE_SESSION_SECRET', path: ['api', 'sessionSecret'] },
];

const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadedConfig {
  config: FaxgateConfig;
  /** The file read, or null when only defaults (and environment) apply. */
  file: string | null;
  /** Environment variables that overrode a key (names only, never values). */
  envOverrides: string[];
}

export interface LoadOptions {
  /** Explicit --config path; must exist. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Where to look when neither path nor FAXGATE_CONFIG is given (tests point it elsewhere). */
  defaultPath?: string;
}

export function resolveConfigPath(opts: LoadOptions): { path: string | null; explicit: boolean } {
  const env = opts.env ?? process.env;
  if (opts.path) return { path: opts.path, explicit: true };
  if (env.FAXGATE_CONFIG) return { path: env.FAXGATE_CONFIG, explicit: true };
  const fallback = opts.defaultPath ?? DEFAULT_CONFIG_PATH;
  return { path: fs.existsSync(fallback) ? fallback : null, explicit: false };
}

function readYaml(file: string): unknown {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([code === 'ENOENT' ? 'file not found' : `cannot read (${code})`], file);
  }
  if (!stat.isFile()) throw new ConfigError(['not a regular file'], file);
  if (stat.size > MAX_CONFIG_BYTES) throw new ConfigError([`larger than ${MAX_CONFIG_BYTES} bytes`], file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), {
    prettyErrors: false,
    uniqueKeys: true,
    lineCounter,
  });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
      }),
      file,
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function describeIssue(issue: z.core.$ZodIssue, fromEnv: Map<string, string>): string {
  const at = issue.path.map(String).join('.');
  const env = fromEnv.get(at);
  const where = `${at || '(top level)'}${env ? ` (from $${env})` : ''}`;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${at ? `${at}.` : ''}${k}: unknown key`).join('\n');
  }
  if (issue.code === 'invalid_type' && issue.expected === 'object' && issue.input !== undefined) {
    return `${where}: expected a mapping of keys, got ${JSON.stringify(issue.input)}`;
  }
  return `${where}: ${issue.message}`;
}

/** Validates a parsed YAML value plus environment overrides; throws ConfigError naming every bad key. */
export function validateConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  where = 'configuration',
): { config: FaxgateConfig; envOverrides: string[] } {
  const input: Record<string, unknown> =
    raw === null || raw === undefined
      ? {}
      : typeof raw === 'object' && !Array.isArray(raw)
        ? structuredClone(raw as Record<string, unknown>)
        : (() => {
            throw new ConfigError([`expected a mapping of keys at the top level, got ${typeof raw}`], where);
          })();
  const fromEnv = new Map<string, string>();
  for (const { env: name, path } of ENV_OVERRIDES) {
    const value = env[name];
    const key = path.join('.');
    if (value === undefined || value === '' || fromEnv.has(key)) continue;
    const sec = input[path[0]];
    if (sec !== undefined && (typeof sec !== 'object' || sec === null || Array.isArray(sec))) continue;
    input[path[0]] = { ...(sec as object | undefined), [path[1]]: value };
    fromEnv.set(key, name);
  }
  const r = configSchema.safeParse(input, { reportInput: true });
  if (!r.success) {
    const lines = r.error.issues.flatMap((i) => describeIssue(i, fromEnv).split('\n'));
    throw new ConfigError(lines, where);
  }
  return { config: r.data, envOverrides: [...fromEnv.values()] };
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const { path: file } = resolveConfigPath(opts);
  const raw = file ? readYaml(file) : {};
  const { config, envOverrides } = validateConfig(raw, env, file ?? 'built-in defaults');
  return { config, file, envOverrides };
}
