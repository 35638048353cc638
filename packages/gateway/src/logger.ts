// The gateway's logger: winston from @faxgate/audit (it redacts secrets and fax content),
// configured by `logging.*`, writing to stderr so stdout stays for the status report.
import { createLogger } from '@faxgate/audit';
import { redactUrlsIn } from './config/redact.js';
import type { FaxgateConfig } from './config/schema.js';

export type Logger = Pick<ReturnType<typeof createLogger>, 'error' | 'warn' | 'info' | 'http' | 'debug'>;

export function createGatewayLogger(config: FaxgateConfig, component = 'gateway'): Logger {
  const { level, format } = config.logging;
  const base = createLogger({
    level,
    component,
    stream: process.stderr,
    ...(format === 'auto' ? {} : { json: format === 'json' }),
  });
  // URLs in a message (a webhook's, a database's) lose their password and secret query
  // parameters before the audit logger's own redaction (config/redact.ts: one rule).
  const clean = (fn: (message: string, ...meta: unknown[]) => unknown) =>
    ((message: unknown, ...meta: unknown[]) =>
      fn(
        typeof message === 'string' ? redactUrlsIn(message) : (message as string),
        ...meta,
      )) as Logger['info'];
  return {
    error: clean(base.error.bind(base)),
    warn: clean(base.warn.bind(base)),
    info: clean(base.info.bind(base)),
    http: clean(base.http.bind(base)),
    debug: clean(base.debug.bind(base)),
  };
}
