// The gateway's logger: winston from @faxgate/audit (it redacts secrets and fax content),
// configured by `logging.*`, writing to stderr so stdout stays for the status report.
import { createLogger } from '@faxgate/audit';
import type { FaxgateConfig } from './config/schema.js';

export type Logger = Pick<ReturnType<typeof createLogger>, 'error' | 'warn' | 'info' | 'http' | 'debug'>;

export function createGatewayLogger(config: FaxgateConfig, component = 'gateway'): Logger {
  const { level, format } = config.logging;
  return createLogger({
    level,
    component,
    stream: process.stderr,
    ...(format === 'auto' ? {} : { json: format === 'json' }),
  });
}
