// Trace of every CAPI message in and out: an EventEmitter for live followers, a ring buffer
// for tests and the control port, optionally a JSON-lines file. Entries are decoded lazily
// (only when someone reads them) so load runs do not pay for decoding.
import { EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

export type TraceDirection = 'in' | 'out';

export interface TraceRecord {
  seq: number;
  /** ms since the epoch */
  time: number;
  dir: TraceDirection;
  /** connection id (one per TCP connection) */
  conn: number;
  /** e.g. CONNECT_REQ, DATA_B3_IND, REGISTER (rcapi function), or ? for unknown */
  name: string;
  applId: number;
  messageNumber: number;
  /** bytes of the message (+ data for DATA_B3) */
  length: number;
  /** The message decoded by the capi-bindings codec, or an error text. */
  message?: unknown;
  error?: string;
}

export type MessageDescriber = (msg: Buffer) => { name: string; message?: unknown; error?: string };

interface RawEntry {
  seq: number;
  time: number;
  dir: TraceDirection;
  conn: number;
  bytes: Buffer;
  note?: string;
}

export class Trace extends EventEmitter {
  private readonly ring: (RawEntry | undefined)[];
  private next = 0;
  private seq = 0;
  private file?: WriteStream;

  constructor(
    private readonly size: number,
    private readonly describe: MessageDescriber,
    filePath?: string,
  ) {
    super();
    this.ring = new Array(size);
    if (filePath) this.file = createWriteStream(filePath, { flags: 'a' });
  }

  /** Records one message; `bytes` is copied only if anyone will look at it. */
  record(dir: TraceDirection, conn: number, bytes: Buffer, note?: string): void {
    const seq = ++this.seq;
    const live = this.listenerCount('message') > 0 || this.file !== undefined;
    if (this.size === 0 && !live) return;
    const entry: RawEntry = { seq, time: Date.now(), dir, conn, bytes: Buffer.from(bytes), note };
    if (this.size > 0) {
      this.ring[this.next] = entry;
      this.next = (this.next + 1) % this.size;
    }
    if (live) {
      const rec = this.toRecord(entry);
      this.emit('message', rec);
      this.file?.write(`${JSON.stringify(rec, jsonReplacer)}\n`);
    }
  }

  /** The ring buffer, oldest first, decoded. */
  entries(): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (let i = 0; i < this.size; i++) {
      const e = this.ring[(this.next + i) % this.size];
      if (e) out.push(this.toRecord(e));
    }
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
  }

  close(): Promise<void> {
    const f = this.file;
    this.file = undefined;
    return new Promise((resolve) => (f ? f.end(resolve) : resolve()));
  }

  private toRecord(e: RawEntry): TraceRecord {
    const b = e.bytes;
    const d = this.describe(b);
    const rec: TraceRecord = {
      seq: e.seq,
      time: e.time,
      dir: e.dir,
      conn: e.conn,
      name: d.name,
      applId: b.length >= 4 ? b.readUInt16LE(2) : 0,
      messageNumber: b.length >= 8 ? b.readUInt16LE(6) : 0,
      length: b.length,
    };
    if (d.message !== undefined) rec.message = d.message;
    if (d.error !== undefined || e.note !== undefined)
      rec.error = [e.note, d.error].filter(Boolean).join('; ');
    return rec;
  }
}

/** JSON for trace lines: bigint as string, byte arrays as hex. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    const data = (value as { data?: number[] }).data;
    if (Array.isArray(data)) return Buffer.from(data).toString('hex');
  }
  return value;
}
