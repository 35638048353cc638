// The `hylafax:` section of the configuration: the optional listener for HylaFAX clients
// (sendfax, faxstat, faxrm, faxalter). Off by default: it is one more door into the gateway.
import { z } from 'zod';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));
const int = (what: string, min: number, max: number) =>
  z
    .int({ error: (iss) => `expected ${what} ${min}..${max}, got ${got(iss.input)}` })
    .min(min)
    .max(max);
const file = z
  .string({ error: (iss) => `expected an absolute path, got ${got(iss.input)}` })
  .regex(/^\/[^\0]*$/, 'expected an absolute path');

export const hylafaxSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Loopback by default: exposing it is a decision (the lockdown report lists it). */
    address: z
      .string({ error: (iss) => `expected an IP address, got ${got(iss.input)}` })
      .min(1)
      .default('127.0.0.1'),
    /** hfaxd's port; 0 = any free port (tests). */
    port: int('a port', 0, 65535).default(4559),
    /** TLS on the control connection (the whole session is TLS from the first byte). */
    tls: z.strictObject({ certFile: file, keyFile: file }).optional(),
    /** Connections at once (all clients together). */
    maxConnections: int('connections', 1, 1000).default(20),
    /** A connection that sends nothing this long is closed. */
    idleSeconds: int('seconds', 5, 3600).default(300),
    /** Commands per connection and minute (a flood is answered 421 and closed). */
    commandsPerMinute: int('commands', 10, 100_000).default(600),
    /** One uploaded document (after MODE Z decompression). */
    uploadMaxMegabytes: int('megabytes', 1, 1024).default(20),
    /** Ghostscript's bounds when it converts PostScript (in the sandbox). */
    postscriptSeconds: int('seconds', 1, 600).default(60),
    postscriptMemoryMegabytes: int('megabytes', 64, 4096).default(512),
  })
  .prefault({} as never);

export type HylafaxConfig = z.output<typeof hylafaxSchema>;
