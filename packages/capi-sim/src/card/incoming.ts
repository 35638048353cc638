// Incoming calls: a remote sender's call offered (CONNECT_IND) to every application whose
// LISTEN matches on the controller owning the called number, ALERT_REQ, CONNECT_RESP
// (first accept wins, the others get 0x3304; a reject becomes the caller's network Reason;
// every offer decided without an accept clears the call), then B3: CONNECT_B3_IND,
// CONNECT_B3_RESP and training against the remote fax sender.
import { type CapiMessageOf, Info, plciOf, Reason, Reject } from '@faxgate/capi-bindings';
import type { CallOutcome } from '../observe/counters.js';
import { checkBProtocol } from './bprotocol.js';
import { b3Active } from './data.js';
import { type App, type CallRecord, LineCall, Ncci, PlciView } from './model.js';
import { faxNcpi } from './ncpi.js';
import { calledNumber, callingNumber, connectedNumber, rejectReason } from './reasons.js';
import { FaxReception, type SenderPlan } from './reception.js';
import { type CardState, EMPTY, isPlciAddress } from './state.js';
import { b3Ends, clearLine, disconnectInd, remoteHangsUp, removeView } from './teardown.js';

/** Bit 0 of a CIP mask: any service. */
const ANY_SERVICE = 1;

/** Offers a call from a remote sender; resolves when the call is over. */
export function offer(card: CardState, plan: SenderPlan): Promise<CallRecord> {
  const ctrl =
    plan.controller !== undefined
      ? card.controllers[plan.controller - 1]
      : card.controllers.find((c) => c.owns(plan.to));
  const fake = (outcome: CallOutcome, reason: number): Promise<CallRecord> => {
    const rec: CallRecord = {
      id: card.nextCallId(),
      direction: 'incoming',
      controller: ctrl?.id ?? 0,
      plci: 0,
      from: plan.from,
      to: plan.to,
      cip: plan.cip,
      outcome,
      reason,
      pages: 0,
      lineMs: 0,
      startedAt: Date.now(),
      endedAt: Date.now(),
    };
    card.counters.call('incoming', outcome);
    card.emit('call', rec);
    return Promise.resolve(rec);
  };
  if (!ctrl) return fake('unallocated', Reason.UNALLOCATED_NUMBER);
  const channel = ctrl.seizeChannel();
  if (channel === undefined) return fake('no-channel', Reason.USER_BUSY);
  const plci = ctrl.allocPlci();
  if (plci === undefined) {
    ctrl.releaseChannel(channel);
    return fake('no-channel', Reason.NO_CIRCUIT_AVAILABLE);
  }
  const call = new LineCall(ctrl, plci, 'incoming', card.nextCallId(), plan.from, plan.to, plan.cip);
  call.channel = channel;
  call.record.bChannel = channel;
  call.session = new FaxReception(card, call, plan);
  const targets = [...card.apps].filter((a) => {
    if (plan.ignoreListen) return true;
    const l = a.listens.get(ctrl.id);
    return l !== undefined && (((l.cipMask >>> plan.cip) & 1) === 1 || (l.cipMask & ANY_SERVICE) === 1);
  });
  const done = new Promise<CallRecord>((resolve) => card.waiting.set(call, resolve));
  if (targets.length === 0) {
    clearLine(card, call, 'no-listener', Reason.UNALLOCATED_NUMBER);
    return done;
  }
  for (const app of targets) {
    const view = new PlciView(app, call, 'offered');
    call.views.push(view);
    app.plcis.set(plci, view);
    card.ind<'CONNECT_IND'>(app, {
      name: 'CONNECT_IND',
      plci,
      cipValue: plan.cip,
      calledPartyNumber: calledNumber(plan.to),
      callingPartyNumber: callingNumber(plan.from, plan.callerTypePlan),
    });
  }
  // The caller gives up when nobody answers. This waits on applications, not on the line,
  // so it runs in real time even at time factor 0.
  card.afterReal(call, card.timings.noAnswerMs, () => {
    if (!call.owner) clearLine(card, call, 'no-answer', Reason.NORMAL_CLEARING);
  });
  return done;
}

export function alertReq(card: CardState, app: App, m: CapiMessageOf<'ALERT_REQ'>): void {
  const view = app.plcis.get(plciOf(m.plci));
  const reply = (info: number) => card.conf(app, m, { name: 'ALERT_CONF', plci: m.plci, info });
  if (!view || !isPlciAddress(m.plci)) {
    reply(Info.ILLEGAL_IDENTIFIER);
    return;
  }
  if (view.state !== 'offered') {
    reply(Info.ILLEGAL_STATE);
    return;
  }
  const already = view.call.views.some((v) => v.alerted);
  view.alerted = true;
  reply(already ? Info.ALERT_ALREADY_SENT : Info.OK);
}

export function connectResp(card: CardState, app: App, m: CapiMessageOf<'CONNECT_RESP'>): void {
  const view = app.plcis.get(plciOf(m.plci));
  if (view?.state !== 'offered') return;
  const call = view.call;
  if (m.reject === Reject.IGNORE) {
    removeView(view);
    checkOffers(card, call);
    return;
  }
  if (m.reject !== Reject.ACCEPT) {
    view.rejectReason = rejectReason(m.reject);
    disconnectInd(card, view, view.rejectReason);
    checkOffers(card, call);
    return;
  }
  const b = checkBProtocol(m.bProtocol, call.ctrl.profile);
  if (!b.ok) {
    // No CONF exists for a RESP: the card clears the call with the Info as Reason.
    view.rejectReason = b.info;
    disconnectInd(card, view, b.info);
    checkOffers(card, call);
    return;
  }
  view.stack = b.stack;
  call.owner = view;
  call.record.conn = app.conn.id;
  for (const other of call.views) {
    if (other !== view && other.state === 'offered') disconnectInd(card, other, Reason.ANOTHER_APPLICATION);
  }
  view.state = 'activating';
  card.ind<'CONNECT_ACTIVE_IND'>(app, {
    name: 'CONNECT_ACTIVE_IND',
    plci: call.plci,
    connectedNumber: connectedNumber(call.record.to),
  });
}

/** Every offer decided and nobody accepted: the caller hears the rejection. */
export function checkOffers(card: CardState, call: LineCall): void {
  if (call.owner || call.cleared) return;
  if (call.views.some((v) => v.state === 'offered')) return;
  const rejected = call.views.find((v) => v.rejectReason !== undefined);
  if (rejected) clearLine(card, call, 'rejected', rejected.rejectReason!);
  else clearLine(card, call, 'ignored', Reason.NORMAL_CLEARING);
}

/** CONNECT_ACTIVE_RESP of an accepted call: B3 is offered (a fax B channel) or the caller gives up. */
export function incomingActive(card: CardState, call: LineCall, view: PlciView): void {
  const rx = call.session as FaxReception;
  const stack = view.stack!;
  if (!stack.fax) {
    // A fax caller meets a non-fax B channel: it hears no answer tone and hangs up.
    // A speech/data caller talks for a while, then hangs up.
    const ms = card.timings.noFaxToneMs;
    card.after(call, ms, () => {
      call.record.lineMs += ms;
      remoteHangsUp(card, call, rx.plan.fax ? 'not-fax' : 'completed', Reason.NORMAL_CLEARING);
    });
    return;
  }
  const ncci = new Ncci(call.ctrl.allocNcci(call.plci), view);
  ncci.state = 'offered';
  view.ncci = ncci;
  view.app.nccis.set(ncci.id, ncci);
  card.ind<'CONNECT_B3_IND'>(view.app, { name: 'CONNECT_B3_IND', ncci: ncci.id, ncpi: EMPTY });
}

export function connectB3Resp(card: CardState, app: App, m: CapiMessageOf<'CONNECT_B3_RESP'>): void {
  const ncci = app.nccis.get(m.ncci);
  if (ncci?.state !== 'offered') return;
  const call = ncci.view.call;
  const rx = call.session as FaxReception;
  if (m.reject !== Reject.ACCEPT) {
    b3Ends(card, ncci, Reason.NORMAL, 'rejected');
    remoteHangsUp(card, call, 'rejected', Reason.NORMAL_CLEARING);
    return;
  }
  ncci.state = 'training';
  const stack = ncci.view.stack!;
  if (!rx.plan.fax) {
    const ms = card.timings.noFaxToneMs;
    card.after(call, ms, () => {
      call.record.lineMs += ms;
      b3Ends(card, ncci, Reason.FAX_NOT_G3, 'not-fax');
      remoteHangsUp(card, call, 'not-fax', Reason.NORMAL_CLEARING);
    });
    return;
  }
  const rate = card.negotiatedRate(stack, rx.plan.rate);
  const fine = rx.plan.fine ?? false;
  call.record.rate = rate;
  call.record.fine = fine;
  call.record.remoteId = rx.plan.csi;
  rx.rate = rate;
  card.after(call, card.timings.trainingMs, () => {
    call.record.lineMs += card.timings.trainingMs;
    b3Active(card, ncci, faxNcpi(stack, rate, fine, 0, rx.plan.csi));
  });
}
