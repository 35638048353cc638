// Test helper: a fresh migrated database per test file (see @faxgate/store/testing).
import type { Migration } from '../migrate.js';
import { migratedTestDb as fresh, type MigratedTestDb } from '../testing.js';

export type { MigratedTestDb };

export function migratedTestDb(extra: readonly Migration[] = []): Promise<MigratedTestDb> {
  return fresh({ extra });
}
