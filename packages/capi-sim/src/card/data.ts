// The B3 connection once trained, in either direction: CONNECT_B3_ACTIVE_IND and its RESP
// (which starts a fax reception), and DATA_B3_REQ/RESP handed to the fax session of the call —
// or, on a transparent B3, confirmed after the bytes crossed a 64 kbit/s line.
import { type CapiMessageOf, Info } from '@faxgate/capi-bindings';
import { lineMs } from '../timing.js';
import type { App, Ncci } from './model.js';
import { FaxReception } from './reception.js';
import type { CardState } from './state.js';
import { FaxTransmission } from './transmission.js';

/** A transparent B channel (B1 HDLC/transparent, no fax): 64 kbit/s. */
export const TRANSPARENT_RATE = 64000;

/** DATA_B3 Flags bits the card knows: qualifier, more data, delivery confirmation, expedited. */
const KNOWN_DATA_FLAGS = 0x0f;

/** Training is over: CONNECT_B3_ACTIVE_IND with the fax NCPI. */
export function b3Active(card: CardState, ncci: Ncci, ncpi: Uint8Array): void {
  if (ncci.state !== 'connecting' && ncci.state !== 'training') return;
  ncci.state = 'activating';
  card.ind<'CONNECT_B3_ACTIVE_IND'>(ncci.view.app, { name: 'CONNECT_B3_ACTIVE_IND', ncci: ncci.id, ncpi });
}

export function connectB3ActiveResp(app: App, m: CapiMessageOf<'CONNECT_B3_ACTIVE_RESP'>): void {
  const ncci = app.nccis.get(m.ncci);
  if (ncci?.state !== 'activating') return;
  ncci.state = 'active';
  const s = ncci.view.call.session;
  if (s instanceof FaxReception) s.start();
}

export function dataB3Req(card: CardState, app: App, m: CapiMessageOf<'DATA_B3_REQ'>): void {
  const ncci = app.nccis.get(m.ncci);
  const reply = (info: number) =>
    card.conf(app, m, { name: 'DATA_B3_CONF', ncci: m.ncci, dataHandle: m.dataHandle, info });
  if (!ncci) {
    reply(Info.ILLEGAL_IDENTIFIER);
    return;
  }
  if (ncci.state !== 'active' && ncci.state !== 'activating') {
    reply(Info.ILLEGAL_STATE);
    return;
  }
  if (m.data.length > app.maxBDataLen || m.data.length === 0) {
    reply(Info.DATA_LENGTH_NOT_SUPPORTED);
    return;
  }
  if ((m.flags ?? 0) & ~KNOWN_DATA_FLAGS) {
    reply(Info.FLAGS_NOT_SUPPORTED);
    return;
  }
  const s = ncci.view.call.session;
  if (s instanceof FaxTransmission) {
    if (s.queued >= app.maxBDataBlocks) {
      reply(Info.SEND_QUEUE_FULL);
      return;
    }
    s.enqueue(m.dataHandle, m.messageNumber, m.applId, Buffer.from(m.data));
    return;
  }
  if (s instanceof FaxReception) {
    reply(Info.ILLEGAL_STATE);
    return;
  }
  // Transparent B3: confirm after the bytes crossed a 64 kbit/s line.
  const call = ncci.view.call;
  const ms = lineMs(m.data.length, TRANSPARENT_RATE);
  call.record.lineMs += ms;
  card.after(call, ms, () => {
    if (ncci.state === 'active' || ncci.state === 'disconnecting') reply(Info.OK);
  });
}

export function dataB3Resp(app: App, m: CapiMessageOf<'DATA_B3_RESP'>): void {
  const ncci = app.nccis.get(m.ncci);
  const s = ncci?.view.call.session;
  if (s instanceof FaxReception) s.resp(m.dataHandle);
}
