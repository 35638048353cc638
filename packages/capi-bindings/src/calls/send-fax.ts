/**
 * Sending a fax (capi-reference §8.3, outgoing): CONNECT → CONNECT_ACTIVE → CONNECT_B3 →
 * CONNECT_B3_ACTIVE → DATA_B3 with flow control → DISCONNECT_B3 → DISCONNECT.
 */
import { Cip, FaxFormat, FaxOptions } from '../codec/constants.js';
import { encodeFaxNcpi, type FaxB3Config, faxBProtocol } from '../codec/structs.js';
import { CallCore, DEFAULT_FAX_TIMEOUTS, type FaxResult, type FaxTimeouts } from './call-core.js';
import { CallAbortedError } from './inbox.js';
import type { CapiSession } from './session.js';
import { SffPageEnds } from './sff-page-ends.js';

export interface SendFaxOptions {
  controller: number;
  calledNumber: string;
  callingNumber?: string;
  /** Suppress our number (CLIR). */
  restrictCallingNumber?: boolean;
  /** CIP value: 4 (3.1 kHz audio, default) or 17 (G3 fax). */
  cip?: 4 | 17;
  /** B3 protocol: 4 (T.30) or 5 (T.30 with extensions). Default 4. */
  b3?: 4 | 5;
  resolution?: 'standard' | 'fine';
  /** Extra B3 = 5 option bits (e.g. FaxOptions.NO_ECM). */
  options?: number;
  stationId: string;
  headLine?: string;
  /** The SFF document, whole or streamed. */
  sff: Uint8Array | AsyncIterable<Uint8Array>;
  timeouts?: Partial<FaxTimeouts>;
  /** Stops the call with a clean DISCONNECT (B3 first). */
  signal?: AbortSignal;
  /** DATA_B3 block size (default and maximum: the session's MaxBDataLen, ≤ 2048). */
  blockSize?: number;
  /** Blocks outstanding (default and maximum: MaxBDataBlocks, ≤ 7). */
  window?: number;
}

/**
 * Cuts the source into blocks of at most `size` bytes. Streamed chunks are passed on as soon
 * as they arrive (split when too big, never held back to fill a block): a slow producer must
 * not starve the card, which would end the page with a transmit underrun (0x3316).
 */
async function* blocks(
  src: Uint8Array | AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  if (src instanceof Uint8Array) {
    for (let i = 0; i < src.length; i += size) yield src.subarray(i, i + size);
    return;
  }
  for await (const chunk of src) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('SFF stream must yield Uint8Array chunks');
    for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, i + size);
  }
}

/** Bad options for sendFax: refused before anything is dialled. */
export class FaxOptionsError extends RangeError {
  override readonly name = 'FaxOptionsError';
  readonly code = 'ERR_FAX_OPTIONS';
}

function checkOptions(o: SendFaxOptions): void {
  const fail = (m: string) => {
    throw new FaxOptionsError(m);
  };
  if (!Number.isInteger(o.controller) || o.controller < 1 || o.controller > 127)
    fail(`controller ${o.controller} not in 1..127`);
  if (typeof o.calledNumber !== 'string' || !/^[0-9*#]{1,32}$/.test(o.calledNumber)) {
    fail('calledNumber must be 1..32 digits (0-9 * #)');
  }
  if (o.callingNumber !== undefined && !/^[0-9*#]{0,32}$/.test(o.callingNumber)) {
    fail('callingNumber must be up to 32 digits (0-9 * #)');
  }
  if (o.cip !== undefined && o.cip !== 4 && o.cip !== 17)
    fail(`cip ${o.cip}: use 4 (3.1 kHz audio) or 17 (G3 fax)`);
  if (o.b3 !== undefined && o.b3 !== 4 && o.b3 !== 5) fail(`b3 ${o.b3}: use 4 or 5`);
  // T.30 station IDs are at most 20 printable characters; the head line is printed on paper.
  if (typeof o.stationId !== 'string' || !/^[\x20-\x7e]{0,20}$/.test(o.stationId)) {
    fail('stationId must be at most 20 printable ASCII characters');
  }
  if (o.headLine !== undefined && !/^[\x20-\xff]{0,200}$/.test(o.headLine)) {
    fail('headLine must be at most 200 Latin-1 characters');
  }
  if (
    !(o.sff instanceof Uint8Array) &&
    typeof (o.sff as AsyncIterable<Uint8Array>)?.[Symbol.asyncIterator] !== 'function'
  ) {
    fail('sff must be a Uint8Array or an AsyncIterable<Uint8Array>');
  }
}

/** Sends one fax; resolves with the outcome (never rejects for call failures). Throws FaxOptionsError for bad options. */
export async function sendFax(session: CapiSession, o: SendFaxOptions): Promise<FaxResult> {
  checkOptions(o);
  const b3 = o.b3 ?? 4;
  const timeouts: FaxTimeouts = { ...DEFAULT_FAX_TIMEOUTS, confMs: session.confTimeoutMs, ...o.timeouts };
  const call = new CallCore(session, b3, timeouts);
  const signal = o.signal;
  const onAbort = () => {
    call.aborted = true;
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const fine = o.resolution === 'fine';
  const b3Config: FaxB3Config =
    b3 === 4
      ? {
          b3,
          resolution: fine ? 1 : 0,
          format: FaxFormat.SFF,
          stationId: o.stationId,
          headLine: o.headLine ?? '',
        }
      : {
          b3,
          options: (fine ? FaxOptions.HIGH_RESOLUTION : 0) | (o.options ?? 0),
          format: FaxFormat.SFF,
          stationId: o.stationId,
          headLine: o.headLine ?? '',
        };
  const blockSize = Math.min(o.blockSize ?? session.params.maxBDataLen, session.params.maxBDataLen);
  const window = Math.max(
    1,
    Math.min(o.window ?? session.params.maxBDataBlocks, session.params.maxBDataBlocks),
  );
  try {
    if (signal?.aborted) {
      call.aborted = true;
      return call.result();
    }
    // 1. CONNECT_REQ → CONNECT_CONF (the call is bound to its PLCI the moment the CONF arrives)
    const conf = await session.request<'CONNECT_REQ'>(
      {
        name: 'CONNECT_REQ',
        controller: o.controller,
        cipValue: o.cip ?? Cip.AUDIO_3_1_KHZ,
        calledPartyNumber: { typePlan: 0x80, digits: o.calledNumber },
        callingPartyNumber: o.callingNumber
          ? { typePlan: 0x00, presentation: o.restrictCallingNumber ? 0xa0 : 0x80, digits: o.callingNumber }
          : undefined,
        bProtocol: faxBProtocol(b3Config),
        additionalInfo: {},
      },
      { timeoutMs: timeouts.confMs, bind: call.handler },
    );
    if (conf.info !== 0) {
      call.info = conf.info;
      return call.result();
    }
    call.bind(conf.plci);
    // 2. CONNECT_ACTIVE_IND
    for (;;) {
      const m = await call.inbox.next(
        ['CONNECT_ACTIVE_IND', 'DISCONNECT_IND'],
        timeouts.connectMs,
        'connect',
        signal,
      );
      if (await call.onTerminal(m)) return call.result();
      if (m.name === 'CONNECT_ACTIVE_IND') {
        await session.send({ name: 'CONNECT_ACTIVE_RESP', plci: m.plci });
        break;
      }
    }
    call.phase = 'connected';
    // 3. CONNECT_B3_REQ → CONF
    const b3conf = await session.request<'CONNECT_B3_REQ'>(
      {
        name: 'CONNECT_B3_REQ',
        plci: conf.plci,
        ncpi:
          b3 === 5
            ? encodeFaxNcpi({
                b3,
                rate: 0,
                options: b3Config.b3 === 5 ? b3Config.options : 0,
                format: 0,
                pages: 0,
                receiveId: '',
              })
            : undefined,
      },
      { timeoutMs: timeouts.confMs },
    );
    if (b3conf.info !== 0) {
      call.info = b3conf.info;
      await call.teardown();
      return call.result();
    }
    call.ncci = b3conf.ncci;
    call.ncciUp = true;
    // 4. CONNECT_B3_ACTIVE_IND (training done: rate, resolution, remote ID)
    {
      const m = await call.inbox.next(
        ['CONNECT_B3_ACTIVE_IND', 'DISCONNECT_B3_IND', 'DISCONNECT_IND'],
        timeouts.b3Ms,
        'fax training',
        signal,
      );
      if (await call.onTerminal(m)) {
        await call.hangUp();
        return call.result();
      }
      if (m.name === 'CONNECT_B3_ACTIVE_IND') {
        call.noteNcpi(m.ncpi);
        await session.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci: m.ncci });
      }
    }
    call.phase = 'data';
    // 5. DATA_B3_REQ, at most `window` outstanding. For B3 4 the page ends in the stream and
    // the bytes the card confirmed count the pages when the card reports none.
    const it = blocks(o.sff, blockSize)[Symbol.asyncIterator]();
    const outstanding = new Set<number>();
    const endOf = new Map<number, number>();
    const pageEnds = b3 === 4 ? new SffPageEnds() : undefined;
    let confirmedBytes = 0;
    const confirm = (h: number) => {
      outstanding.delete(h);
      confirmedBytes = Math.max(confirmedBytes, endOf.get(h) ?? 0);
      endOf.delete(h);
    };
    if (pageEnds) call.pageEnds = () => pageEnds.pagesWithin(confirmedBytes);
    let handle = 0;
    let exhausted = false;
    while (call.ncciUp && (!exhausted || outstanding.size > 0)) {
      if (signal?.aborted) throw new CallAbortedError('call stopped');
      if (!exhausted && outstanding.size < window) {
        const r = await it.next();
        if (r.done) {
          exhausted = true;
          continue;
        }
        handle = (handle + 1) & 0xffff;
        outstanding.add(handle);
        pageEnds?.push(r.value);
        endOf.set(handle, call.bytes + r.value.length);
        await session.send({ name: 'DATA_B3_REQ', ncci: call.ncci, dataHandle: handle, data: r.value });
        call.bytes += r.value.length;
        // Collect CONFs that already arrived before sending more.
        for (const c of call.inbox.drain(['DATA_B3_CONF'])) {
          if (c.name !== 'DATA_B3_CONF') continue;
          if (c.info !== 0) {
            outstanding.delete(c.dataHandle);
            call.info = c.info;
          } else confirm(c.dataHandle);
        }
        if (call.info !== undefined) break;
        continue;
      }
      const m = await call.inbox.next(
        ['DATA_B3_CONF', 'DISCONNECT_B3_IND', 'DISCONNECT_IND'],
        timeouts.blockMs,
        'DATA_B3_CONF',
        signal,
      );
      if (await call.onTerminal(m)) break;
      if (m.name === 'DATA_B3_CONF') {
        if (m.info !== 0) {
          outstanding.delete(m.dataHandle);
          call.info = m.info;
          break;
        }
        confirm(m.dataHandle);
      }
    }
    if (call.info !== undefined || !call.ncciUp) {
      await it.return?.(undefined);
      await call.teardown();
      return call.result();
    }
    // 6. DISCONNECT_B3_REQ: the card finishes T.30 and reports the pages
    call.phase = 'finishing';
    const dconf = await session.request<'DISCONNECT_B3_REQ'>(
      { name: 'DISCONNECT_B3_REQ', ncci: call.ncci },
      { timeoutMs: timeouts.confMs },
    );
    if (dconf.info !== 0) call.info = dconf.info;
    while (call.ncciUp) {
      const m = await call.inbox.next(
        ['DISCONNECT_B3_IND', 'DISCONNECT_IND'],
        timeouts.disconnectB3Ms,
        'end of fax',
        signal,
      );
      await call.onTerminal(m);
    }
    call.completed = call.info === undefined;
    // 7. DISCONNECT
    await call.hangUp();
    return call.result();
  } catch (e) {
    if (e instanceof CallAbortedError) call.aborted = true;
    else call.error = e as Error;
    await call.teardown();
    return call.result();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (call.plci !== undefined) session.unbindPlci(call.plci);
  }
}
