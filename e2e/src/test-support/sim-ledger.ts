// What the simulated exchange saw, per called number, read from its CAPI message trace:
// every CONNECT_REQ (a dial) and the fax data sent in DATA_B3_REQs (pages on the line).
// Each fax of a test has a destination number of its own, so a number's counts are its fax's.
import type { Simulator } from '@faxgate/capi-sim';

interface TraceRecordLike {
  dir: 'in' | 'out';
  conn: number;
  name: string;
  time: number;
  message?: unknown;
}

export interface NumberLedger {
  /** Times of the CONNECT_REQs to this number. */
  dials: number[];
  /** Bytes of SFF sent to it in DATA_B3_REQs. */
  dataBytes: number;
}

export class SimLedger {
  readonly byNumber = new Map<string, NumberLedger>();
  // CONNECT_REQ → its CONF (same connection and message number) → PLCI → the number.
  private readonly dialOfMessage = new Map<string, string>();
  private readonly numberOfPlci = new Map<string, string>();
  private readonly onMessage = (r: TraceRecordLike) => this.record(r);

  constructor(private readonly sim: Simulator) {
    sim.trace.on('message', this.onMessage);
  }

  close(): void {
    this.sim.trace.off('message', this.onMessage);
  }

  of(number: string): NumberLedger {
    let l = this.byNumber.get(number);
    if (!l) {
      l = { dials: [], dataBytes: 0 };
      this.byNumber.set(number, l);
    }
    return l;
  }

  /** Copy of the per-number state now (e.g. at the moment of a kill). */
  snapshot(): Map<string, NumberLedger> {
    return new Map([...this.byNumber].map(([n, l]) => [n, { dials: [...l.dials], dataBytes: l.dataBytes }]));
  }

  private record(r: TraceRecordLike): void {
    const m = r.message as
      | {
          messageNumber?: number;
          plci?: number;
          ncci?: number;
          dataBytes?: number;
          calledPartyNumber?: { digits?: string };
        }
      | undefined;
    if (!m) return;
    if (r.name === 'CONNECT_REQ' && r.dir === 'in') {
      const number = m.calledPartyNumber?.digits ?? '?';
      this.of(number).dials.push(r.time);
      this.dialOfMessage.set(`${r.conn}:${m.messageNumber}`, number);
    } else if (r.name === 'CONNECT_CONF' && r.dir === 'out' && m.plci !== undefined) {
      const key = `${r.conn}:${m.messageNumber}`;
      const number = this.dialOfMessage.get(key);
      this.dialOfMessage.delete(key);
      if (number) this.numberOfPlci.set(`${r.conn}:${m.plci & 0xffff}`, number);
    } else if (r.name === 'DATA_B3_REQ' && r.dir === 'in' && m.ncci !== undefined) {
      // NCCI = PLCI in the low word.
      const number = this.numberOfPlci.get(`${r.conn}:${m.ncci & 0xffff}`);
      if (number) this.of(number).dataBytes += m.dataBytes ?? 0;
    }
  }
}
