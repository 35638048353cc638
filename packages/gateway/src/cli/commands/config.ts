// faxgate config check | record | reload | history | show N | diff A B | export
import type { Command } from 'commander';
import { formatChange } from '../../config/diff.js';
import {
  formatSummary,
  type VersionDetail,
  type VersionDiff,
  type VersionSummary,
} from '../../config/history.js';
import { recordConfigVersion } from '../../config/record.js';
import { configDocument, redactConfig } from '../../config/redact.js';
import type { ReloadResult } from '../../reload/config-reload.js';
import { describeReload } from '../../reload/describe.js';
import { loggedIn } from '../api-client.js';
import { cliConfig, printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';
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
    .option('--reason <text>', 'why the configuration changed (recorded with the version)')
    .option('--comment <text>', 'the same as --reason (older name)')
    .option('--json', 'print the recorded version as JSON')
    .action(async function (this: Command, opts: { comment?: string; reason?: string; json?: boolean }) {
      const r = await withSession(this, async (s) => {
        await requirePermission(s, 'config.manage', 'record the configuration');
        // On the host with the database credentials: the OS account is known, not the person.
        return recordConfigVersion(s.db, {
          config: s.loaded.config,
          author: s.actor,
          authorKind: 'os',
          comment: 'config record on the host',
          reason: opts.reason ?? opts.comment,
        });
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
    .option('--reason <text>', 'why the configuration changed (recorded with the version)')
    .option('--json', 'print the outcome as JSON')
    .action(async function (this: Command, opts: { json?: boolean; reason?: string }) {
      const r = await loggedIn(this).call<ReloadResult>('POST', '/config/reload', {
        json: opts.reason === undefined ? {} : { reason: opts.reason },
      });
      if (opts.json) printJson(r);
      else printLine(describeReload(r));
    });

  registerHistoryCommands(config);
}

function versionArg(v: string, what: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(v))
    throw new CliError(`${what}: a version number (1, 2, …), not ${JSON.stringify(v)}`, 2);
  return Number(v);
}

/** history | show | diff | export: through the API with the caller's token (config.read). */
function registerHistoryCommands(config: Command): void {
  config
    .command('history')
    .description(
      'list the configuration versions, newest first: who (person, OS account or system), node, why (config.read)',
    )
    .option('--node <name>', 'only the versions of this node')
    .option('--limit <n>', 'at most this many', '100')
    .option('--before <version>', 'only versions below this one (paging)')
    .option('--json', 'print JSON')
    .action(async function (
      this: Command,
      opts: { node?: string; limit: string; before?: string; json?: boolean },
    ) {
      const r = await loggedIn(this).call<{ versions: VersionSummary[] }>('GET', '/config/versions', {
        query: {
          node: opts.node,
          limit: opts.limit,
          before: opts.before === undefined ? undefined : versionArg(opts.before, '--before'),
        },
      });
      if (opts.json) return printJson(r.versions);
      if (r.versions.length === 0) return printLine('no configuration versions recorded');
      printLine('version\ttime\tnode\tauthor\tsource — reason');
      for (const v of r.versions) printLine(formatSummary(v));
    });

  config
    .command('show <version>')
    .description('print one configuration version (secrets redacted) with who, when and why (config.read)')
    .option('--json', 'print JSON')
    .action(async function (this: Command, version: string, opts: { json?: boolean }) {
      const v = await loggedIn(this).call<VersionDetail>(
        'GET',
        `/config/versions/${versionArg(version, 'version')}`,
      );
      if (opts.json) return printJson(v);
      printLine(`# version ${v.version}, ${v.createdAt}, node ${v.node || '-'}, sha256 ${v.sha256}`);
      printLine(`# author ${formatSummary(v).split('\t')[3]}`);
      printLine(`# ${v.comment}${v.reason ? ` — reason: ${v.reason}` : ' — no reason given'}`);
      printLine(v.content.trimEnd());
    });

  config
    .command('diff <from> <to>')
    .description(
      'what changed between two configuration versions: key paths, then the text diff (config.read)',
    )
    .option('--json', 'print JSON')
    .action(async function (this: Command, from: string, to: string, opts: { json?: boolean }) {
      const d = await loggedIn(this).call<VersionDiff>('GET', '/config/diff', {
        query: { from: versionArg(from, 'from'), to: versionArg(to, 'to') },
      });
      if (opts.json) return printJson(d);
      printLine(`version ${d.from.version} (${formatSummary(d.from).split('\t').slice(1, 4).join(', ')})`);
      printLine(`version ${d.to.version} (${formatSummary(d.to).split('\t').slice(1, 4).join(', ')})`);
      if (d.changes.length === 0) return printLine('no differences');
      for (const c of d.changes) printLine(`  ${formatChange(c)}`);
      printLine('');
      printLine(d.text.trimEnd());
    });

  config
    .command('export')
    .description(
      'every configuration version with its content as JSON, oldest first, secrets redacted (config.read)',
    )
    .option('--node <name>', 'only the versions of this node')
    .action(async function (this: Command, opts: { node?: string }) {
      printJson(await loggedIn(this).call('GET', '/config/export', { query: { node: opts.node } }));
    });
}
