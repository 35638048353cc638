// The daemon the end-to-end tests start on the simulator: its configuration file (API on a
// free port, the privileged test database, spool, tmp and audit checkpoints under `dir`, the
// queue at test speed) and its start with the test database and Redis.
import fs from 'node:fs';
import path from 'node:path';
import { validateConfig } from '../config/load.js';
import { type RunningGateway, startGateway } from '../gateway.js';
import { createGatewayLogger } from '../logger.js';

export interface TestDaemonConfig {
  /** Redis key prefix of the test (testRedisPrefix()). */
  prefix: string;
  simPort: number;
  controllers?: number[];
  /** Further keys of `lines:`, as YAML (`probeIntervalSeconds: 0.2`). */
  lineKeys?: string[];
  /** B channels kept for receiving (queue.receiveReserve, default 0). */
  receiveReserve?: number;
  /** Further top-level sections (`routing:`, `mode: pilot`, …), as YAML. */
  sections?: string[];
}

/** Writes `dir`/faxgate.yaml and returns its path. */
export function writeTestDaemonConfig(dir: string, o: TestDaemonConfig): string {
  const file = path.join(dir, 'faxgate.yaml');
  const lines = [
    `port: ${o.simPort}`,
    `controllers: [${(o.controllers ?? [1]).join(', ')}]`,
    ...(o.lineKeys ?? []),
  ];
  fs.writeFileSync(
    file,
    [
      'api:\n  port: 0',
      'database:\n  allowPrivileged: true',
      `paths: { spool: ${dir}/spool, tmp: ${dir}/tmp }`,
      `audit: { checkpointDir: ${dir}/checkpoints, checkpointKeyFile: ${dir}/key/audit-checkpoint.key }`,
      'logging:\n  level: error',
      `redis:\n  keyPrefix: "${o.prefix}"`,
      `lines:\n${lines.map((l) => `  ${l}`).join('\n')}`,
      `queue:\n  enabled: true\n  receiveReserve: ${o.receiveReserve ?? 0}\n  timeScale: 0.001`,
      ...(o.sections ?? []),
      '',
    ].join('\n'),
  );
  return file;
}

/** Starts the daemon on `file` with the test database (and $REDIS_URL when set). */
export function startTestDaemon(file: string, databaseUrl: string): Promise<RunningGateway> {
  const env: NodeJS.ProcessEnv = { FAXGATE_DATABASE_URL: databaseUrl };
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  return startGateway({
    path: file,
    env,
    logger: createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config),
  });
}
