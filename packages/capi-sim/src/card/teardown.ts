// How calls end, whoever ends them: DISCONNECT_B3_IND (the NCCI lives until its RESP),
// DISCONNECT_IND, the line cleared (channel freed, outcome recorded, a waiting offer
// resolved), a remote hang-up that waits for the DISCONNECT_B3_RESP, the network clearing a
// call before it was answered, layer-1 drops, and releasing a view and its PLCI.
import { Reason } from '@faxgate/capi-bindings';
import type { CallOutcome } from '../observe/counters.js';
import type { LineCall, Ncci, PlciView } from './model.js';
import { finalNcpi } from './ncpi.js';
import { outcomeOfReason } from './reasons.js';
import { type CardState, EMPTY } from './state.js';

/** How long a remote hang-up waits for the DISCONNECT_B3_RESP before clearing anyway. */
const HANGUP_WAIT_MS = 5000;

/** Sends DISCONNECT_B3_IND and records the B3 result; the NCCI lives until its RESP. */
export function b3Ends(
  card: CardState,
  ncci: Ncci,
  reasonB3: number,
  outcome: CallOutcome,
  ncpi: Uint8Array = EMPTY,
): void {
  if (ncci.state === 'disconnected') return;
  ncci.state = 'disconnected';
  const call = ncci.view.call;
  call.record.reasonB3 = reasonB3;
  call.b3Outcome = outcome;
  card.ind<'DISCONNECT_B3_IND'>(ncci.view.app, {
    name: 'DISCONNECT_B3_IND',
    ncci: ncci.id,
    reasonB3,
    ncpi,
  });
}

export function disconnectInd(card: CardState, view: PlciView, reason: number): void {
  if (view.state === 'disconnected') return;
  view.state = 'disconnected';
  card.ind<'DISCONNECT_IND'>(view.app, { name: 'DISCONNECT_IND', plci: view.call.plci, reason });
}

/** The application is done with its view of the call (DISCONNECT_RESP, or it went away). */
export function removeView(view: PlciView): void {
  const app = view.app;
  const call = view.call;
  if (app.plcis.get(call.plci) === view) app.plcis.delete(call.plci);
  if (view.ncci) app.nccis.delete(view.ncci.id);
  view.ncci = undefined;
  const i = call.views.indexOf(view);
  if (i >= 0) call.views.splice(i, 1);
  maybeFreePlci(call);
}

/** The PLCI goes back to the controller once the line is clear and no view holds it. */
function maybeFreePlci(call: LineCall): void {
  if (call.cleared && call.views.length === 0 && !call.plciFreed) {
    call.plciFreed = true;
    call.ctrl.freePlci(call.plci);
  }
}

/** The network clears an outgoing call before it was answered. */
export function networkClears(card: CardState, call: LineCall, reason: number): void {
  clearLine(card, call, outcomeOfReason(reason), reason);
}

/**
 * The remote side hangs up. With a B3 connection still open, DISCONNECT_IND waits for the
 * DISCONNECT_B3_RESP (applications free B3 buffers first).
 */
export function remoteHangsUp(card: CardState, call: LineCall, outcome: CallOutcome, reason: number): void {
  if (call.cleared) return;
  const ncci = call.owner?.ncci;
  if (ncci && ncci.state === 'disconnected' && call.owner!.app.nccis.has(ncci.id)) {
    call.pendingHangup = [outcome, reason];
    // Bound the wait: a client that never answers still gets its line cleared.
    card.afterReal(call, HANGUP_WAIT_MS, () => {
      if (call.pendingHangup) {
        call.pendingHangup = undefined;
        clearLine(card, call, outcome, reason);
      }
    });
    return;
  }
  if (ncci && ncci.state !== 'disconnected')
    b3Ends(
      card,
      ncci,
      reason === Reason.LAYER1_ERROR ? Reason.LAYER1_ERROR : Reason.FAX_REMOTE_ABORT,
      outcome,
    );
  clearLine(card, call, outcome, reason);
}

/** The line is released: channel free, every view told, the result recorded. */
export function clearLine(card: CardState, call: LineCall, outcome: CallOutcome, reason: number): void {
  if (call.cleared) return;
  call.cleared = true;
  call.cancelTimers();
  call.session?.abort();
  if (call.channel !== undefined) {
    call.ctrl.releaseChannel(call.channel);
    call.channel = undefined;
  }
  const rec = call.record;
  rec.outcome =
    call.b3Outcome && call.b3Outcome !== 'completed' && outcome !== 'line-drop' ? call.b3Outcome : outcome;
  if (call.b3Outcome === 'completed' && outcome !== 'line-drop') rec.outcome = 'completed';
  rec.reason = reason;
  rec.endedAt = Date.now();
  for (const view of [...call.views]) {
    if (view.state !== 'disconnected')
      disconnectInd(card, view, view === call.owner ? reason : Reason.NORMAL_CLEARING);
    if (!card.apps.has(view.app)) removeView(view);
  }
  maybeFreePlci(call);
  card.counters.call(rec.direction, rec.outcome);
  card.emit('call', rec);
  const resolve = card.waiting.get(call);
  if (resolve) {
    card.waiting.delete(call);
    resolve(rec);
  }
}

/** Drops the line on calls of one controller (or all): Reason 0x3301 layer-1 error. */
export function dropLines(card: CardState, controller?: number): number {
  let n = 0;
  const calls = new Set<LineCall>();
  for (const app of card.apps) for (const v of app.plcis.values()) calls.add(v.call);
  for (const call of calls) {
    if (call.cleared || (controller !== undefined && call.ctrl.id !== controller)) continue;
    n++;
    const ncci = call.owner?.ncci;
    call.session?.abort();
    if (ncci && ncci.state !== 'disconnected')
      b3Ends(card, ncci, Reason.LAYER1_ERROR, 'line-drop', finalNcpi(card, call, call.record.pages));
    clearLine(card, call, 'line-drop', Reason.LAYER1_ERROR);
  }
  return n;
}
