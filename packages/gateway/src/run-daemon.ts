// The plain gateway daemon (`npm run gateway`, the systemd unit): runs until Ctrl-C (SIGINT)
// or SIGTERM. Loads the configuration, checks the database role (refusing a superuser or table
// owner unless database.allowPrivileged, and spool/tmp directories that are not the service
// user's: exit code 2), migrates as the owner, records the configuration
// version, starts the API, lines and queue, and prints what runs where — and what is not
// built yet.

import { ConfigError } from './config/errors.js';
import { DatabaseRoleError } from './errors.js';
import { type RunningGateway, startGateway } from './gateway.js';
import { describeReload } from './reload/describe.js';
import { SpoolDirError } from './spool/errors.js';
import { formatStatus } from './status.js';
import { exitIfStopHangs, onStopSignals, STOP_MARGIN_MS } from './stop-signals.js';

function printStarted(gw: RunningGateway): void {
  const v = gw.configVersion;
  process.stdout.write(
    [
      formatStatus(gw.status()),
      `  database role: ${gw.database.role.user} (${gw.database.privileged ? 'PRIVILEGED, allowed by database.allowPrivileged' : 'application role: owns nothing'}; migrations ${gw.database.migratedBy === 'owner' ? 'run as the owner' : gw.database.migratedBy === 'self' ? 'run as this role' : 'checked'})`,
      `  migrations: ${gw.migrationsApplied.length ? `applied ${gw.migrationsApplied.join(', ')}` : 'schema was up to date'}`,
      `  config version: ${v.version} (${v.changed ? 'recorded now' : 'unchanged'}, sha256 ${v.sha256.slice(0, 12)}…)`,
      `  redis at start: ${gw.redisReachable ? 'reachable' : 'NOT reachable (GET /health reports it)'}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

export async function runDaemon(): Promise<void> {
  let gw: RunningGateway | null = null;

  const stop = async () => {
    if (!gw) return; // still starting: main() stops it as soon as it is up
    const graceSeconds = gw.loaded.config.shutdown.callGraceSeconds;
    const calls = gw.pipeline?.worker?.running().length ?? 0;
    process.stdout.write(
      `faxgate: ${signals.received}: stopping${calls > 0 ? ` (${calls} call(s) in progress: up to ${graceSeconds} s to finish; Ctrl-C again to disconnect them now)` : ''}\n`,
    );
    exitIfStopHangs(() => 'faxgate: shutdown took too long: exiting', graceSeconds * 1000 + STOP_MARGIN_MS);
    try {
      await gw.stop();
      process.stdout.write('faxgate: stopped\n');
      process.exitCode = 0;
    } catch (e) {
      process.stderr.write(`faxgate: error while stopping: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  };
  const now = (signal: string) => {
    if (!gw) return;
    process.stdout.write(`faxgate: ${signal} again: disconnecting the calls in progress now\n`);
    gw.stopNow();
  };
  // Handlers go in before anything else: a signal that arrives while starting, or right
  // after the status line, must still mean a clean stop.
  const signals = onStopSignals(() => void stop(), now);
  // SIGHUP: read the configuration file again (validated first; live keys applied and
  // recorded as system:SIGHUP; a bad file or a restart key changes nothing). Installed before
  // the start, so an early SIGHUP does not end the process (its default action).
  const onHup = () => {
    const running = gw;
    if (!running) return;
    running.reload('system:SIGHUP').then(
      (r) => process.stdout.write(`faxgate: SIGHUP: ${describeReload(r)}\n`),
      (e: Error) => process.stderr.write(`faxgate: SIGHUP: reload failed: ${e.message}\n`),
    );
  };
  process.on('SIGHUP', onHup);

  try {
    gw = await startGateway();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`faxgate: configuration ${e.message}\n`);
      process.exitCode = 2;
    } else if (e instanceof DatabaseRoleError || e instanceof SpoolDirError) {
      process.stderr.write(`faxgate: refusing to start: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`faxgate: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
    signals.release();
    return;
  }
  printStarted(gw);
  if (signals.received) await stop();
}
