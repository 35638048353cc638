// The gateway's log never carries a secret from a URL: a webhook's ?token=, a database
// password — whatever level, whatever format.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateConfig } from './config/load.js';
import { createGatewayLogger } from './logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('gateway logger', () => {
  it.each(['json', 'text'] as const)('redacts URL secrets in %s messages', async (format) => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write);
    const { config } = validateConfig({ logging: { level: 'debug', format } }, {});
    const log = createGatewayLogger(config);
    log.warn('webhook crm: POST https://crm.example/hook?tenant=7&sig=s1gn4ture&access_token=t0k3n failed');
    log.info('database postgres://app:pa55word@db.example:5432/fax?sslmode=require: migrating');
    await new Promise((r) => setImmediate(r));
    const out = lines.join('');
    expect(out).toContain('tenant=7');
    expect(out).toContain('db.example:5432/fax');
    for (const secret of ['s1gn4ture', 't0k3n', 'pa55word']) expect(out).not.toContain(secret);
  });
});
