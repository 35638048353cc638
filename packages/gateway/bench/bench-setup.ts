// What both pipeline benchmarks stand on: a database of their own (migrated), Redis under a
// key prefix of their own, the gateway configuration for the simulator's port, the sample
// page, and the clean-up of all of it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditMigrations } from '@faxgate/audit';
import { readFaxDocument, writeFaxDocument } from '@faxgate/fax-core';
import { type Knex, migrate, openDatabase } from '@faxgate/store';
import { createTestDatabase, testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { validateConfig } from '../src/config/load.js';
import type { FaxgateConfig, FaxgateConfigInput } from '../src/config/schema.js';
import { deleteKeys } from '../src/test-support/pipeline-fixture.js';

export interface BenchSetup {
  db: Knex;
  config: FaxgateConfig;
  prefix: string;
  /** Drops the database and the Redis keys (call after the gateway and simulator stopped). */
  cleanUp(): Promise<void>;
}

export async function benchSetup(opts: {
  name: string;
  simPort: number;
  controllers: number;
  queue: FaxgateConfigInput['queue'];
}): Promise<BenchSetup> {
  const testDb = await createTestDatabase(`faxgate_bench_${opts.name}`);
  const db = openDatabase(testDb.url, { poolMax: 20 });
  await migrate(db, auditMigrations);
  const prefix = testRedisPrefix(`faxgate-bench-${opts.name}`);
  const env = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {};
  const { config } = validateConfig(
    {
      database: { url: testDb.url, poolMax: 20 },
      redis: { keyPrefix: prefix },
      logging: { level: 'error' },
      lines: {
        transport: 'rcapi',
        port: opts.simPort,
        controllers: Array.from({ length: opts.controllers }, (_, i) => i + 1),
      },
      queue: { enabled: true, reconcileIntervalSeconds: 3600, stationId: 'BENCH', ...opts.queue },
    },
    env,
  );
  return {
    db,
    config,
    prefix,
    async cleanUp() {
      const redis = new Redis(config.redis.url);
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await db.destroy();
      await testDb.drop();
    },
  };
}

/**
 * CCITT test page 1 (a business letter, 1728 × 2376 fine) as a ready one-page MMR TIFF, from the
 * third-party corpus: $FAXGATE_CORPUS, default ../shared/testdata beside the repository.
 */
export function ccittPage1Tiff(): Uint8Array {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const corpus = process.env.FAXGATE_CORPUS
    ? path.resolve(process.env.FAXGATE_CORPUS)
    : path.resolve(repoRoot, '../shared/testdata');
  const pbm = fs.readFileSync(path.join(corpus, 'ccitt/ccitt1.pbm'));
  return writeFaxDocument('tiff', [readFaxDocument(pbm).pages[0].page], { coding: 'mmr' });
}
