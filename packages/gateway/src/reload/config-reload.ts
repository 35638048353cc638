// `faxgate config reload` and SIGHUP: read the configuration file again, validate it first
// (a bad file leaves the running configuration and says why, naming the key), refuse a change
// of a key that needs a restart (nothing applied, the keys named), otherwise apply the live
// keys and record the new version (config_versions + config.change) with who asked.
import { parse } from 'yaml';
import { type ConfigChange, diffConfig } from '../config/diff.js';
import { ConfigError } from '../config/errors.js';
import { type LoadOptions, loadConfig } from '../config/load.js';
import { type RecordedConfig, recordConfigVersion } from '../config/record.js';
import { configDocument } from '../config/redact.js';
import type { FaxgateConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { restartKeys } from './live-keys.js';

type Db = Parameters<typeof recordConfigVersion>[0];

export type ReloadResult =
  | { outcome: 'invalid'; problems: string[]; message: string }
  | { outcome: 'restart-required'; restartKeys: string[]; changes: string[] }
  | { outcome: 'unchanged' }
  | { outcome: 'applied'; changes: string[]; version: number; sha256: string };

export interface ConfigReloader {
  /**
   * `actor`: the logged-in user (recorded as the version's author, a person), or
   * 'system:SIGHUP' (recorded as the system). `reason`: why, as the person gave it.
   * Serialised: one reload at a time.
   */
  reload(actor: string, reason?: string): Promise<ReloadResult>;
  current(): FaxgateConfig;
}

export function createConfigReloader(opts: {
  load: LoadOptions;
  initial: FaxgateConfig;
  db: Db;
  log: Logger;
  /** Takes the live keys of `next` over (router, lockdown, API services). */
  apply(next: FaxgateConfig, changes: ConfigChange[]): Promise<void>;
}): ConfigReloader {
  let current = opts.initial;
  let chain: Promise<unknown> = Promise.resolve();

  const once = async (actor: string, reason?: string): Promise<ReloadResult> => {
    let next: FaxgateConfig;
    try {
      next = loadConfig(opts.load).config;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      opts.log.error(`config reload by ${actor}: refused, running configuration kept: ${e.message}`);
      return { outcome: 'invalid', problems: e.problems, message: e.message };
    }
    const changes = diffConfig(parse(configDocument(current)), parse(configDocument(next)));
    if (changes.length === 0) {
      opts.log.info(`config reload by ${actor}: unchanged`);
      return { outcome: 'unchanged' };
    }
    const paths = changes.map((c) => c.path);
    const restart = restartKeys(paths);
    if (restart.length > 0) {
      opts.log.warn(
        `config reload by ${actor}: nothing applied — these keys need a restart: ${restart.join(', ')}`,
      );
      return { outcome: 'restart-required', restartKeys: restart, changes: paths };
    }
    await opts.apply(next, changes);
    current = next;
    const recorded: RecordedConfig = await recordConfigVersion(opts.db, {
      config: next,
      author: actor,
      authorKind: actor.startsWith('system:') ? 'system' : 'user',
      reason,
      comment: `config reload (${opts.load.path ?? 'configuration file'})`,
    });
    opts.log.info(`config reload by ${actor}: applied ${paths.join(', ')} (version ${recorded.version})`);
    return { outcome: 'applied', changes: paths, version: recorded.version, sha256: recorded.sha256 };
  };

  return {
    reload(actor, reason) {
      const run = chain.then(() => once(actor, reason));
      chain = run.catch(() => {});
      return run;
    },
    current: () => current,
  };
}
