// faxstat's queues over faxgate's faxes: the send queue (outgoing faxes not finished), the done
// queue (finished ones) and the receive queue (received faxes), each only as far as the user
// may see them (store/visibility.ts through fax-access.ts), and each fax's %-fields.
import type { Fax } from '@faxgate/store';
import type { FieldValue } from './formats.js';

export const SENDQ_STATES = [
  'rendering',
  'suspended',
  'pending',
  'sleeping',
  'blocked',
  'waiting',
  'running',
];
export const DONEQ_STATES = ['done', 'failed', 'rejected'];
export const RECVQ_STATES = ['receiving', 'received', 'delivered'];

/** hfaxd's one-letter job states. */
const STATE_LETTER: Record<string, string> = {
  rendering: 'P',
  suspended: 'T',
  pending: 'P',
  sleeping: 'S',
  blocked: 'B',
  waiting: 'W',
  running: 'R',
  done: 'D',
  failed: 'F',
  rejected: 'F',
};

/** The file name a received fax has in the receive queue (RETR recvq/<name>). */
export function recvFileName(id: number): string {
  return `fax${String(id).padStart(8, '0')}.tif`;
}

/** The fax id of a receive-queue name ("recvq/fax00000012.tif" or "fax00000012.tif"). */
export function recvFileId(name: string): number | null {
  const m = /^(?:\/?recvq\/)?fax0*([1-9][0-9]{0,14})\.tif$/.exec(name);
  return m ? Number(m[1]) : null;
}

export interface TimeStyle {
  /** TZONE LOCAL: the server's zone; else GMT (hfaxd's default). */
  local: boolean;
}

function parts(d: Date, t: TimeStyle) {
  const u = !t.local;
  return {
    y: u ? d.getUTCFullYear() : d.getFullYear(),
    mo: (u ? d.getUTCMonth() : d.getMonth()) + 1,
    d: u ? d.getUTCDate() : d.getDate(),
    h: u ? d.getUTCHours() : d.getHours(),
    mi: u ? d.getUTCMinutes() : d.getMinutes(),
    s: u ? d.getUTCSeconds() : d.getSeconds(),
    mon: d.toLocaleString('en', { month: 'short', timeZone: u ? 'UTC' : undefined }),
  };
}
const p2 = (n: number) => String(n).padStart(2, '0');

/** "HH:MM" today, else "DDMon" (how hfaxd shows a time to send). */
function shortTime(d: Date, now: Date, t: TimeStyle): string {
  const a = parts(d, t);
  const b = parts(now, t);
  return a.y === b.y && a.mo === b.mo && a.d === b.d ? `${p2(a.h)}:${p2(a.mi)}` : `${p2(a.d)}${a.mon}`;
}
function longTime(d: Date, t: TimeStyle): string {
  const a = parts(d, t);
  return `${a.y}/${p2(a.mo)}/${p2(a.d)} ${p2(a.h)}.${p2(a.mi)}.${p2(a.s)}`;
}

interface HylafaxMeta {
  toUser?: string;
  toCompany?: string;
  fromUser?: string;
  notify?: string;
  notifyAddress?: string;
}

function meta(fax: Fax): HylafaxMeta {
  const h = fax.metadata?.hylafax;
  return h && typeof h === 'object' ? (h as HylafaxMeta) : {};
}

const NOTIFY_LETTER: Record<string, string> = { none: ' ', done: 'D', requeue: 'Q', 'done+requeue': 'A' };

/** The JOBFMT fields of an outgoing fax. */
export function jobFields(fax: Fax, now: Date, t: TimeStyle): (letter: string) => FieldValue {
  const h = meta(fax);
  const owner = typeof fax.metadata?.owner === 'string' ? fax.metadata.owner : '';
  const waitingForTime = fax.notBefore !== null && fax.notBefore > now && fax.state === 'pending';
  const values: Record<string, FieldValue> = {
    j: fax.id,
    g: fax.id,
    i: fax.priority,
    I: fax.priority,
    a: STATE_LETTER[fax.state] ?? '?',
    o: owner,
    e: fax.remoteNumber ?? '',
    v: typeof fax.metadata?.dialString === 'string' ? fax.metadata.dialString : (fax.remoteNumber ?? ''),
    P: `${fax.pagesDone}:${fax.pagesTotal}`,
    p: fax.pagesDone,
    y: fax.pagesTotal,
    D: `${fax.dials}:${fax.maxDials ?? 0}`,
    d: fax.dials,
    x: fax.maxDials ?? 0,
    T: `${fax.tries}:${fax.maxTries ?? 0}`,
    t: fax.tries,
    u: fax.maxTries ?? 0,
    z: waitingForTime && fax.notBefore ? shortTime(fax.notBefore, now, t) : '',
    Y: longTime(fax.notBefore ?? fax.createdAt, t),
    Z: Math.floor((fax.notBefore ?? fax.createdAt).getTime() / 1000),
    k: fax.killAt ? shortTime(fax.killAt, now, t) : '',
    s: fax.causeText ?? fax.cause ?? '',
    r: fax.resolution ?? 98,
    J: fax.jobTag ?? '',
    R: h.toUser ?? '',
    C: h.toCompany ?? '',
    S: h.fromUser ?? owner,
    M: h.notifyAddress ?? '',
    n: NOTIFY_LETTER[h.notify ?? 'none'] ?? ' ',
    m: fax.line ?? 'any',
    X: 'F',
    W: fax.commid ?? '',
    V: 'default',
    l: 297,
    w: 209,
    c: '',
    h: ' ',
    K: ' ',
    N: ' ',
    O: ' ',
  };
  return (letter) => values[letter];
}

/** The RCVFMT fields of a received fax; `owner` is its mailbox's name. */
export function recvFields(fax: Fax, owner: string, t: TimeStyle): (letter: string) => FieldValue {
  const at = fax.completedAt ?? fax.createdAt;
  const a = parts(at, t);
  const seconds =
    fax.startedAt && fax.completedAt ? (fax.completedAt.getTime() - fax.startedAt.getTime()) / 1000 : 0;
  const values: Record<string, FieldValue> = {
    f: recvFileName(fax.id),
    m: '-rw----',
    q: '-rw-------',
    p: fax.pagesDone,
    z: fax.state === 'receiving' ? '*' : ' ',
    o: owner,
    s: fax.remoteStationId ?? '',
    j: fax.remoteNumber ?? '',
    i: '',
    a: '',
    t: `${p2(a.d)}${a.mon}${p2(a.h)}${p2(a.mi)}`,
    Y: `${a.y}:${p2(a.mo)}:${p2(a.d)} ${p2(a.h)}:${p2(a.mi)}:${p2(a.s)}`,
    e: fax.state === 'failed' ? (fax.causeText ?? fax.cause ?? '') : '',
    r: fax.resolution ?? 98,
    h: `${p2(Math.floor(seconds / 3600))}:${p2(Math.floor(seconds / 60) % 60)}:${p2(Math.floor(seconds % 60))}`,
    b: 14400,
    d: '2-D MMR',
    l: 297,
    w: 209,
    n: 0,
  };
  return (letter) => values[letter];
}
