/**
 * Guards against the pitfalls that kill or hang a CAPI client (capi-reference §7), in our own
 * layer so they hold for both transports:
 * - P5: message + data > 2176 bytes, or DATA_B3 data > MaxBDataLen → refused before sending;
 * - P3: a DATA_B3_RESP with an unknown or repeated DataHandle → refused; one whose buffer
 *   the library already freed (DISCONNECT_IND arrived) → dropped, not sent; every
 *   DATA_B3_IND still open when its DISCONNECT_B3_RESP goes out is answered first;
 * - more DATA_B3_REQ outstanding than MaxBDataBlocks → refused (the card would drop them);
 * - malformed messages (the codec refuses them) → refused.
 * The transports handle the rest: oversize server frames (P4) and dead connections (P6) end
 * in 'down'; the native one also waits before get_message (P1) and watches the busy loop.
 */
import { EventEmitter } from 'node:events';
import { Limits } from '../codec/constants.js';
import { CapiCodecError } from '../codec/errors.js';
import { type CapiMessage, decodeMessage, encodeMessage } from '../codec/messages.js';
import { CapiDownError, CapiRefusedError } from '../transport/errors.js';
import type { CapiApplication, RegisterParams } from '../transport/types.js';

const DATA_B3 = 0x86;
const DISCONNECT = 0x04;
const DISCONNECT_B3 = 0x84;
const IND = 0x82;
const CONF = 0x81;

export class GuardedApplication extends EventEmitter implements CapiApplication {
  /** DATA_B3_IND handles not yet answered, per NCCI (handle → count). */
  private readonly openInd = new Map<number, Map<number, number>>();
  /**
   * DATA_B3_IND handles the library freed when DISCONNECT_IND arrived (P3): answering them
   * would abort libcapi20, so their DATA_B3_RESP is dropped here (once) instead of sent.
   */
  private readonly freedInd = new Map<number, Map<number, number>>();
  /** DATA_B3_REQ handles without CONF, per NCCI. */
  private readonly openReq = new Map<number, Set<number>>();
  private down: Error | undefined;
  private released = false;

  constructor(
    readonly inner: CapiApplication,
    readonly params: RegisterParams,
  ) {
    super();
    inner.on('message', (raw: Buffer, data?: Buffer) => {
      this.track(raw);
      this.emit('message', raw, data);
    });
    inner.on('down', (e: Error) => {
      if (this.down) return;
      this.down = e;
      this.emit('down', e);
    });
  }

  get applId(): number {
    return this.inner.applId;
  }

  /** DATA_B3_IND handles waiting for their DATA_B3_RESP (for tests and diagnostics). */
  openIndications(ncci: number): number[] {
    return [...(this.openInd.get(ncci)?.keys() ?? [])];
  }

  private track(raw: Buffer): void {
    if (raw.length < 12) return;
    const cmd = raw[4];
    const sub = raw[5];
    const addr = raw.readUInt32LE(8);
    if (cmd === DATA_B3 && sub === IND && raw.length >= 20) {
      const h = raw.readUInt16LE(18);
      let m = this.openInd.get(addr);
      if (!m) {
        m = new Map();
        this.openInd.set(addr, m);
      }
      m.set(h, (m.get(h) ?? 0) + 1);
    } else if (cmd === DATA_B3 && sub === CONF && raw.length >= 14) {
      this.openReq.get(addr)?.delete(raw.readUInt16LE(12));
    } else if (cmd === DISCONNECT_B3 && sub === IND) {
      // No DATA_B3_CONF follows a DISCONNECT_B3_IND (§8.3).
      this.openReq.delete(addr);
    } else if (cmd === DISCONNECT && sub === IND) {
      // The library frees the PLCI's buffers here: any later DATA_B3_RESP would abort it.
      const plci = addr & 0xffff;
      for (const [n, m] of [...this.openInd.entries()]) {
        if ((n & 0xffff) !== plci) continue;
        this.openInd.delete(n);
        if (m.size) this.freedInd.set(n, m);
      }
      for (const n of [...this.openReq.keys()]) if ((n & 0xffff) === plci) this.openReq.delete(n);
    }
  }

  async putMessage(raw: Buffer, data?: Uint8Array): Promise<void> {
    if (this.released) throw new CapiDownError(`CAPI application ${this.applId} was released`);
    if (this.down) throw this.down;
    let msg: CapiMessage;
    try {
      msg = decodeMessage(raw, data);
    } catch (e) {
      if (e instanceof CapiCodecError)
        throw new CapiRefusedError(`malformed message: ${e.message}`, 'malformed');
      throw e;
    }
    const total = raw.readUInt16LE(0);
    const dataLen = data?.length ?? raw.length - total;
    if (total + dataLen > Limits.SEND_BUFSIZ) {
      throw new CapiRefusedError(
        `${msg.name} of ${total} + ${dataLen} bytes exceeds the ${Limits.SEND_BUFSIZ}-byte send buffer`,
        'oversize',
      );
    }
    switch (msg.name) {
      case 'DATA_B3_REQ': {
        if (msg.data.length > this.params.maxBDataLen) {
          throw new CapiRefusedError(
            `DATA_B3_REQ of ${msg.data.length} bytes exceeds MaxBDataLen ${this.params.maxBDataLen}`,
            'data-length',
          );
        }
        let open = this.openReq.get(msg.ncci);
        if (!open) {
          open = new Set();
          this.openReq.set(msg.ncci, open);
        }
        if (open.size >= this.params.maxBDataBlocks) {
          throw new CapiRefusedError(
            `DATA_B3_REQ: ${open.size} blocks already outstanding (MaxBDataBlocks ${this.params.maxBDataBlocks})`,
            'flow-control',
          );
        }
        if (open.has(msg.dataHandle)) {
          throw new CapiRefusedError(
            `DATA_B3_REQ: DataHandle ${msg.dataHandle} still outstanding`,
            'data-handle',
          );
        }
        open.add(msg.dataHandle);
        try {
          await this.inner.putMessage(raw, data);
        } catch (e) {
          open.delete(msg.dataHandle);
          throw e;
        }
        return;
      }
      case 'DATA_B3_RESP': {
        const m = this.openInd.get(msg.ncci);
        const n = m?.get(msg.dataHandle);
        const freed = this.freedInd.get(msg.ncci);
        const f = freed?.get(msg.dataHandle);
        if ((!m || !n) && freed && f) {
          if (f === 1) freed.delete(msg.dataHandle);
          else freed.set(msg.dataHandle, f - 1);
          if (freed.size === 0) this.freedInd.delete(msg.ncci);
          this.emit(
            'warning',
            `DATA_B3_RESP handle ${msg.dataHandle} dropped: the connection was already cleared`,
          );
          return;
        }
        if (!m || !n) {
          throw new CapiRefusedError(
            `DATA_B3_RESP for NCCI 0x${msg.ncci.toString(16)} handle ${msg.dataHandle}: no such DATA_B3_IND open (unknown, repeated or late)`,
            'data-handle',
          );
        }
        if (n === 1) m.delete(msg.dataHandle);
        else m.set(msg.dataHandle, n - 1);
        return this.inner.putMessage(raw, data);
      }
      case 'DISCONNECT_B3_RESP': {
        const m = this.openInd.get(msg.ncci);
        if (m && m.size > 0) {
          const handles = [...m.entries()];
          this.emit('warning', `answering ${handles.length} open DATA_B3_IND before DISCONNECT_B3_RESP`);
          for (const [h, count] of handles) {
            for (let i = 0; i < count; i++) {
              await this.inner.putMessage(
                encodeMessage({
                  name: 'DATA_B3_RESP',
                  applId: msg.applId,
                  messageNumber: msg.messageNumber,
                  ncci: msg.ncci,
                  dataHandle: h,
                }),
              );
            }
          }
        }
        this.openInd.delete(msg.ncci);
        return this.inner.putMessage(raw, data);
      }
      default:
        return this.inner.putMessage(raw, data);
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.openInd.clear();
    this.freedInd.clear();
    this.openReq.clear();
    await this.inner.release();
  }
}
