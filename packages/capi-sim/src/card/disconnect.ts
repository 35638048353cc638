// The application ends a call: DISCONNECT_B3_REQ (a fax transmission first sends what is
// queued and ends the document; anything else stops now, Reason_B3 0x3318 once data could
// flow), DISCONNECT_B3_RESP (the NCCI is freed; a remote hang-up waiting for it goes on),
// DISCONNECT_REQ (an offer declined, or the line cleared) and DISCONNECT_RESP.
import { type CapiMessageOf, Info, plciOf, Reason } from '@faxgate/capi-bindings';
import type { CallOutcome } from '../observe/counters.js';
import { checkOffers } from './incoming.js';
import type { App } from './model.js';
import { finalNcpi } from './ncpi.js';
import { FaxReception } from './reception.js';
import { type CardState, isPlciAddress } from './state.js';
import { b3Ends, clearLine, disconnectInd, remoteHangsUp, removeView } from './teardown.js';
import { FaxTransmission } from './transmission.js';

export function disconnectB3Req(card: CardState, app: App, m: CapiMessageOf<'DISCONNECT_B3_REQ'>): void {
  const ncci = app.nccis.get(m.ncci);
  const reply = (info: number) => card.conf(app, m, { name: 'DISCONNECT_B3_CONF', ncci: m.ncci, info });
  if (!ncci) {
    reply(Info.ILLEGAL_IDENTIFIER);
    return;
  }
  if (ncci.state === 'disconnecting' || ncci.state === 'disconnected' || ncci.state === 'offered') {
    reply(Info.ILLEGAL_STATE);
    return;
  }
  reply(Info.OK);
  const call = ncci.view.call;
  const s = call.session;
  if (ncci.state === 'active' && s instanceof FaxTransmission) {
    ncci.state = 'disconnecting';
    s.finish();
    return;
  }
  // Anything else (training, transparent, receiving): the local side ends B3 now.
  const local = s instanceof FaxReception || s instanceof FaxTransmission;
  if (s) s.abort();
  b3Ends(
    card,
    ncci,
    local && ncci.state !== 'connecting' && ncci.state !== 'training'
      ? Reason.FAX_LOCAL_ABORT
      : Reason.NORMAL,
    'local-abort',
  );
  if (s instanceof FaxReception) remoteHangsUp(card, call, 'local-abort', Reason.NORMAL_CLEARING);
}

export function disconnectB3Resp(card: CardState, app: App, m: CapiMessageOf<'DISCONNECT_B3_RESP'>): void {
  const ncci = app.nccis.get(m.ncci);
  if (ncci?.state !== 'disconnected') return;
  app.nccis.delete(ncci.id);
  if (ncci.view.ncci === ncci) ncci.view.ncci = undefined;
  const call = ncci.view.call;
  if (call.pendingHangup) {
    const [outcome, reason] = call.pendingHangup;
    call.pendingHangup = undefined;
    clearLine(card, call, outcome, reason);
  }
}

export function disconnectReq(card: CardState, app: App, m: CapiMessageOf<'DISCONNECT_REQ'>): void {
  const view = app.plcis.get(plciOf(m.plci));
  const reply = (info: number) => card.conf(app, m, { name: 'DISCONNECT_CONF', plci: m.plci, info });
  if (!view || !isPlciAddress(m.plci)) {
    reply(Info.ILLEGAL_IDENTIFIER);
    return;
  }
  if (view.state === 'disconnecting' || view.state === 'disconnected') {
    reply(Info.ILLEGAL_STATE);
    return;
  }
  reply(Info.OK);
  const call = view.call;
  if (view.state === 'offered') {
    view.rejectReason = Reason.NORMAL_CLEARING;
    disconnectInd(card, view, Reason.NORMAL_CLEARING);
    checkOffers(card, call);
    return;
  }
  view.state = 'disconnecting';
  const ncci = view.ncci;
  // A finished B3 phase keeps its outcome (completed, not-fax …); anything else is our abort.
  const outcome: CallOutcome = call.b3Outcome ?? 'local-abort';
  if (ncci && ncci.state !== 'disconnected') {
    call.session?.abort();
    b3Ends(
      card,
      ncci,
      ncci.state === 'connecting' || ncci.state === 'offered' ? Reason.NORMAL : Reason.FAX_LOCAL_ABORT,
      'local-abort',
      finalNcpi(card, call, call.record.pages),
    );
  }
  clearLine(card, call, outcome, Reason.NORMAL_CLEARING);
}

export function disconnectResp(app: App, m: CapiMessageOf<'DISCONNECT_RESP'>): void {
  const view = app.plcis.get(plciOf(m.plci));
  if (view?.state !== 'disconnected') return;
  removeView(view);
}
