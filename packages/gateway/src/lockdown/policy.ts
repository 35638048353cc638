// The lockdown policy and the CAPI transport, as the configuration says.
import type { CapiTransport } from '@faxgate/capi-bindings';
import { RcapiTransport } from '@faxgate/capi-bindings';
import { type AllowedListener, type LockdownPolicy, resolvePolicy } from '@faxgate/isdn-lockdown';
import type { FaxgateConfig } from '../config/schema.js';

export function lockdownPolicy(config: FaxgateConfig): LockdownPolicy {
  const l = config.lockdown;
  return resolvePolicy({
    mode: l.mode,
    incomingServices: [...l.incomingServices],
    outgoingServices: [...l.outgoingServices],
    b3Protocols: [...l.b3Protocols],
    ecm: l.ecm,
    colour: l.colour,
    jbig: l.jbig,
    polling: l.polling,
    callerBlocklist: [...l.callerBlocklist],
    tsiBlocklist: [...l.tsiBlocklist],
    unknownNumber: l.unknownNumber,
  });
}

/** The listeners that are part of the fax service: the API, plus what the admin declared. */
export function allowedListeners(config: FaxgateConfig): AllowedListener[] {
  const out: AllowedListener[] = config.lockdown.allowedListeners.map((a) => ({ ...a }));
  if (config.api.port !== 0) out.push({ port: config.api.port, protocol: 'tcp', note: 'faxgate API' });
  if (config.hylafax.enabled && config.hylafax.port !== 0)
    out.push({ port: config.hylafax.port, protocol: 'tcp', note: 'faxgate HylaFAX client protocol' });
  return out;
}

/**
 * The CAPI transport of the configured lines. The native transport uses libcapi20's own
 * configuration (/etc/capi20.conf or ~/.capi20rc); lines.host/port are for rcapi.
 */
export async function openLineTransport(config: FaxgateConfig): Promise<CapiTransport> {
  if (config.lines.transport === 'native') {
    const { NativeTransport } = await import('@faxgate/capi-bindings/native');
    return new NativeTransport();
  }
  return new RcapiTransport({ host: config.lines.host, port: config.lines.port, callTimeoutMs: 5000 });
}
