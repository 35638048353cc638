// Outgoing calls (capi-reference §8.3): CONNECT_REQ checked and given a PLCI and a B channel,
// the remote party reacting as its behaviour says (busy, no answer, reject, an incompatible
// service, or CONNECT_ACTIVE_IND), then CONNECT_B3_REQ: training against the remote fax
// machine and the fax transmission — or no fax tones from a telephone, or a transparent B3.
import { type CapiMessageOf, Cip, Info, plciOf, Reason } from '@faxgate/capi-bindings';
import type { PartyBehaviour } from '../config.js';
import { checkBProtocol } from './bprotocol.js';
import { b3Active } from './data.js';
import { type App, LineCall, Ncci, PlciView } from './model.js';
import { faxNcpi } from './ncpi.js';
import { connectedNumber, isVoiceBand, MAX_CIP } from './reasons.js';
import { type CardState, EMPTY, isControllerAddress, isPlciAddress } from './state.js';
import { b3Ends, networkClears } from './teardown.js';
import { FaxTransmission } from './transmission.js';

/** A called number the exchange can route: digits, optionally with a leading +. */
const DIALLABLE = /^\+?\d+$/;

export function connectReq(card: CardState, app: App, m: CapiMessageOf<'CONNECT_REQ'>): void {
  const reply = (plci: number, info: number) => card.conf(app, m, { name: 'CONNECT_CONF', plci, info });
  const ctrl = card.controllerOf(m.controller);
  if (!ctrl || !isControllerAddress(m.controller)) {
    reply(m.controller, Info.ILLEGAL_IDENTIFIER);
    return;
  }
  if (m.cipValue > MAX_CIP) {
    reply(m.controller, Info.CIP_UNKNOWN);
    return;
  }
  const b = checkBProtocol(m.bProtocol, ctrl.profile);
  if (!b.ok) {
    reply(m.controller, b.info);
    return;
  }
  let active = 0;
  for (const v of app.plcis.values()) if (v.call.record.direction === 'outgoing') active++;
  if (active >= app.maxLogicalConnection) {
    reply(m.controller, Info.OUT_OF_PLCI);
    return;
  }
  const plci = ctrl.allocPlci();
  if (plci === undefined) {
    reply(m.controller, Info.OUT_OF_PLCI);
    return;
  }
  reply(plci, Info.OK);

  const to = m.calledPartyNumber?.digits ?? '';
  const from = m.callingPartyNumber?.digits ?? '';
  const call = new LineCall(ctrl, plci, 'outgoing', card.nextCallId(), from, to, m.cipValue);
  call.record.conn = app.conn.id;
  const view = new PlciView(app, call, 'dialing');
  view.stack = b.stack;
  call.views.push(view);
  call.owner = view;
  app.plcis.set(plci, view);

  const channel = ctrl.seizeChannel();
  if (channel === undefined) {
    card.after(call, 0, () => networkClears(card, call, Reason.NO_CIRCUIT_AVAILABLE));
    return;
  }
  call.channel = channel;
  call.record.bChannel = channel;
  if (!DIALLABLE.test(to)) {
    card.after(call, 0, () => networkClears(card, call, Reason.INVALID_NUMBER_FORMAT));
    return;
  }
  const party = card.cfg.parties[to];
  call.party = party;
  card.after(call, card.timings.answerMs, () => remoteReacts(card, call, party));
}

/** The called number rings: its behaviour decides (no party there: unallocated number). */
function remoteReacts(card: CardState, call: LineCall, party: PartyBehaviour | undefined): void {
  if (!party) {
    networkClears(card, call, Reason.UNALLOCATED_NUMBER);
    return;
  }
  const cip = call.record.cip;
  switch (party.kind) {
    case 'busy':
      networkClears(card, call, Reason.USER_BUSY);
      return;
    case 'reject':
      networkClears(card, call, party.cause ?? Reason.CALL_REJECTED);
      return;
    case 'no-answer':
      card.after(call, card.timings.noAnswerMs - card.timings.answerMs, () =>
        networkClears(card, call, party.cause ?? Reason.NO_ANSWER),
      );
      return;
    case 'data':
      if (cip !== Cip.UNRESTRICTED_DIGITAL) {
        networkClears(card, call, Reason.INCOMPATIBLE_DESTINATION);
        return;
      }
      answered(card, call);
      return;
    default:
      if (!isVoiceBand(cip)) {
        networkClears(card, call, Reason.INCOMPATIBLE_DESTINATION);
        return;
      }
      answered(card, call);
      return;
  }
}

function answered(card: CardState, call: LineCall): void {
  const view = call.owner;
  if (view?.state !== 'dialing') return;
  view.state = 'activating';
  card.ind<'CONNECT_ACTIVE_IND'>(view.app, {
    name: 'CONNECT_ACTIVE_IND',
    plci: call.plci,
    connectedNumber: connectedNumber(call.record.to),
  });
}

export function connectB3Req(card: CardState, app: App, m: CapiMessageOf<'CONNECT_B3_REQ'>): void {
  const view = app.plcis.get(plciOf(m.plci));
  const reply = (ncci: number, info: number) => card.conf(app, m, { name: 'CONNECT_B3_CONF', ncci, info });
  if (!view || !isPlciAddress(m.plci)) {
    reply(m.plci, Info.ILLEGAL_IDENTIFIER);
    return;
  }
  if (view.state !== 'active' || view.ncci || view.call.record.direction !== 'outgoing') {
    reply(m.plci, Info.ILLEGAL_STATE);
    return;
  }
  const call = view.call;
  const ncci = new Ncci(call.ctrl.allocNcci(call.plci), view);
  view.ncci = ncci;
  app.nccis.set(ncci.id, ncci);
  reply(ncci.id, Info.OK);
  ncci.state = 'connecting';
  const stack = view.stack!;
  const party = call.party!;
  if (!stack.fax) {
    // Transparent B3: the line just carries bytes at 64 kbit/s.
    card.after(call, 0, () => b3Active(card, ncci, EMPTY));
    return;
  }
  if (party.kind !== 'fax') {
    // No fax tones from a telephone or a data terminal: T.30 phase B fails.
    card.after(call, card.timings.noFaxToneMs, () => {
      call.record.lineMs += card.timings.noFaxToneMs;
      b3Ends(card, ncci, Reason.FAX_NOT_G3, 'not-fax');
    });
    return;
  }
  const rate = card.negotiatedRate(stack, party.maxRate);
  const fine = stack.fine && party.fine !== false;
  call.record.rate = rate;
  call.record.fine = fine;
  call.record.remoteId = party.csi ?? '';
  card.after(call, card.timings.trainingMs, () => {
    call.record.lineMs += card.timings.trainingMs;
    b3Active(card, ncci, faxNcpi(stack, rate, fine, 0, party.csi ?? ''));
    call.session = new FaxTransmission(card, call, ncci, party, rate, fine);
  });
}
