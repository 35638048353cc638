// `npm start`: runs the gateway until Ctrl-C (SIGINT) or SIGTERM. Loads the configuration,
// migrates the database, records the configuration version, starts the API, and prints
// what runs where — and what is not built yet.
import { ConfigError } from './config/load.js';
import { startGateway } from './gateway.js';
import { formatStatus } from './status.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  try {
    gw = await startGateway();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`faxgate: configuration ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`faxgate: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
    return;
  }

  const v = gw.configVersion;
  process.stdout.write(
    [
      formatStatus(gw.status()),
      `  migrations: ${gw.migrationsApplied.length ? `applied ${gw.migrationsApplied.join(', ')}` : 'schema was up to date'}`,
      `  config version: ${v.version} (${v.changed ? 'recorded now' : 'unchanged'}, sha256 ${v.sha256.slice(0, 12)}…)`,
      `  redis at start: ${gw.redisReachable ? 'reachable' : 'NOT reachable (GET /health reports it)'}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    // npm forwards Ctrl-C to its child, which the terminal signalled already: a repeated
    // signal is expected and must not cut the clean stop short (the grace timer bounds it).
    if (stopping) return;
    stopping = true;
    process.stdout.write(`faxgate: ${signal}: stopping\n`);
    // A safety net only: a clean stop ends the process by itself, well before this.
    setTimeout(() => {
      process.stderr.write('faxgate: shutdown took too long: exiting\n');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    gw.stop().then(
      () => {
        process.stdout.write('faxgate: stopped\n');
        process.exitCode = 0;
      },
      (e: unknown) => {
        process.stderr.write(
          `faxgate: error while stopping: ${e instanceof Error ? e.message : String(e)}\n`,
        );
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
