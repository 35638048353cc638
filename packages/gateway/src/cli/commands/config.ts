// faxgate config check | config record | config reload
import type { Command } from 'commander';
import { formatChange } from '../../config/diff.js';
import { recordConfigVersion } from '../../config/record.js';
import { configDocument, redactConfig } from '../../config/redact.js';
import type { ReloadResult } from '../../reload/config-reload.js';
import { describeReload } from '../../reload/describe.js';
import { loggedIn } from '../api-client.js';
import { cliConfig, printJson, printLine } from '../context.js';
import { requirePermission, withSession } from '../session.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('check and record the gateway configuration');

  config
    .command('check')
    .description('validate the configuration (exit 0 valid, 2 invalid, naming the bad key)')
    .option('--json', 'print the effective configuration (secrets redacted) as JSON')
    .action(function (this: Command, opts: { json?: boolean }) {
      const { config: c, file, envOverrides } = cliConfig(this);
      if (opts.json) {
        printJson({ valid: true, file, envOverrides, config: redactConfig(c) });
        return;
      }
      printLine(`configuration valid: ${file ?? 'built-in defaults (no config file)'}`);
      if (envOverrides.length) printLine(`environment overrides: ${envOverrides.join(', ')}`);
      printLine(configDocument(c).trimEnd());
    });

  config
    .command('record')
    .description(
      'store the effective configuration as a new version (secrets redacted) with a config.change audit event, if it changed',
    )
    .option('--comment <text>', 'why the configuration changed')
    .option('--json', 'print the recorded version as JSON')
    .action(async function (this: Command, opts: { comment?: string; json?: boolean }) {
      const r = await withSession(this, async (s) => {
        await requirePermission(s, 'config.manage', 'record the configuration');
        return recordConfigVersion(s.db, { config: s.loaded.config, author: s.actor, comment: opts.comment });
      });
      if (opts.json) {
        printJson(r);
        return;
      }
      if (!r.changed) printLine(`configuration unchanged since version ${r.version}`);
      else {
        printLine(`configuration recorded as version ${r.version} (sha256 ${r.sha256})`);
        for (const c of r.changes) printLine(`  ${formatChange(c)}`);
      }
    });

  config
    .command('reload')
    .description(
      'make the running gateway read its configuration file again (config.manage): live keys applied and recorded with you as author; a bad file or a key that needs a restart changes nothing (exit 2, naming the keys)',
    )
    .option('--json', 'print the outcome as JSON')
    .action(async function (this: Command, opts: { json?: boolean }) {
      const r = await loggedIn(this).call<ReloadResult>('POST', '/config/reload');
      if (opts.json) printJson(r);
      else printLine(describeReload(r));
    });
}
