// A send worker in a process of its own, for crash tests: `kill -9` it mid-call. Reads the
// validated configuration from PIPELINE_CHILD_CONFIG, prints "ready <instanceId>" when its
// worker runs, then works until killed.
import { openDatabase } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { createGatewayLogger } from '../logger.js';
import { startPipeline } from '../pipeline/pipeline.js';

const config = JSON.parse(process.env.PIPELINE_CHILD_CONFIG ?? '{}') as FaxgateConfig;
const db = openDatabase(config.database.url, { poolMax: 5 });
const pipeline = await startPipeline({
  config,
  db,
  log: createGatewayLogger(config, 'pipeline-child'),
  actor: 'gateway:child',
  worker: true,
});
process.stdout.write(`ready ${pipeline.worker?.instanceId}\n`);
