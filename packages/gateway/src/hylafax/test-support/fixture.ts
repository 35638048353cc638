// The HylaFAX listener over the REST API's test fixture (its database, users, mailboxes,
// grants and send queue): the same services the daemon hands both listeners.
import { afterAll, beforeAll } from 'vitest';
import type { ApiServices } from '../../api/context.js';
import type { FaxgateConfigInput } from '../../config/schema.js';
import { createDocumentLoader, documentLoaderOptions } from '../../documents/load-pages.js';
import { queueSettings } from '../../pipeline/settings.js';
import { type ApiFixture, startApiFixture } from '../../test-support/api-fixture.js';
import { type HylafaxListener, startHylafaxListener } from '../server.js';

export interface HylafaxFixture {
  api: ApiFixture;
  listener: HylafaxListener;
  port: number;
  /** What the listener logged as internal errors. */
  errors: string[];
}

export function useHylafaxFixture(overrides: FaxgateConfigInput = {}): HylafaxFixture {
  let started: (HylafaxFixture & { close(): Promise<void> }) | undefined;
  beforeAll(async () => {
    const api = await startApiFixture({ hylafax: { enabled: true, port: 0 }, ...overrides });
    const documents = createDocumentLoader({ workers: 1, ...documentLoaderOptions(api.config) });
    const errors: string[] = [];
    const services: ApiServices = {
      db: api.db,
      config: api.config,
      queue: api.queue,
      settings: queueSettings(api.config),
      documents,
      logError: (m) => errors.push(m),
    };
    const log = { info() {}, warn() {}, error: (m: string) => errors.push(m) };
    const listener = await startHylafaxListener({
      api: services,
      config: api.config.hylafax,
      serverName: 'test-node',
      log,
    });
    started = {
      api,
      listener,
      port: listener.port,
      errors,
      async close() {
        await listener.close();
        await documents.close();
        await api.close();
      },
    };
  }, 60_000);
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as HylafaxFixture, {
    get(_t, key) {
      if (!started) throw new Error('the HylaFAX fixture is used outside of a test');
      return started[key as keyof HylafaxFixture];
    },
  });
}
