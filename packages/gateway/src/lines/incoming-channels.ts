// Incoming calls hold their B channel in the channel pool from our CONNECT_RESP (accepted)
// to the DISCONNECT_IND, read from the session's message stream, so that the send worker
// counts them and never dials into a controller they filled. The receiver names the fax a
// call is receiving (label) as soon as its row exists.
import type { CapiMessage, CapiSession } from '@faxgate/capi-bindings';
import type { ChannelLease, ChannelPool } from '../pipeline/channel-pool.js';

export interface IncomingChannels {
  /** The fax an incoming call (by PLCI) is receiving. */
  label(plci: number, faxId: number): void;
  /** Calls holding a channel now. */
  readonly held: number;
}

export function trackIncomingChannels(session: CapiSession, pool: ChannelPool): IncomingChannels {
  const leases = new Map<number, ChannelLease>();
  const labels = new Map<number, number>();
  const key = (plci: number) => plci & 0xffff;
  const end = (plci: number) => {
    leases.get(key(plci))?.release();
    leases.delete(key(plci));
    labels.delete(key(plci));
  };
  session.on('message', (dir: 'in' | 'out', msg: CapiMessage) => {
    if (dir === 'out' && msg.name === 'CONNECT_RESP' && msg.reject === 0 && !leases.has(key(msg.plci))) {
      leases.set(key(msg.plci), pool.occupy(msg.plci & 0x7f, labels.get(key(msg.plci))));
    } else if (dir === 'in' && msg.name === 'DISCONNECT_IND') {
      end(msg.plci);
    }
  });
  // The application is gone: so are its calls (the exchange cleared them).
  session.on('down', () => {
    for (const plci of [...leases.keys()]) end(plci);
    labels.clear();
  });
  return {
    label(plci, faxId) {
      const lease = leases.get(key(plci));
      if (lease) pool.label(lease, faxId);
      else labels.set(key(plci), faxId);
    },
    get held() {
      return leases.size;
    },
  };
}
