/**
 * Random but valid messages for every message type, generated from MESSAGE_SPECS (test
 * support: round trips, fuzzing, the libcapi20 cross-check, benchmarks).
 */
import { type CapiMessage, MESSAGE_NAMES, MESSAGE_SPECS, type MessageName } from '../codec/messages.js';

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleOptions {
  /** Use libcapi20's full forms only (GlobalConfiguration, SendingComplete present; Data64 set; Data32 0). */
  libraryForm?: boolean;
  /** Largest struct content to generate (default 40; > 254 exercises long structs). */
  maxStruct?: number;
}

export function sampleMessage(name: MessageName, rnd: () => number, opts: SampleOptions = {}): CapiMessage {
  const int = (max: number) => Math.floor(rnd() * (max + 1));
  const maxStruct = opts.maxStruct ?? 40;
  const bytes = (max = maxStruct) => {
    const n = rnd() < 0.3 ? 0 : int(max);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = int(255);
    return b;
  };
  const digits = () => {
    const n = int(20);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(0x30 + int(9));
    return s;
  };
  const word = () => (rnd() < 0.2 ? 0 : int(0xffff));
  const dword = () => (rnd() < 0.2 ? 0 : int(0xffffffff));
  const msg: Record<string, unknown> = { name, applId: 1 + int(1022), messageNumber: word() };
  for (const [field, kind] of MESSAGE_SPECS[name].params) {
    switch (kind) {
      case 'dword':
        msg[field] = dword();
        break;
      case 'dword?':
        if (field === 'data32' && opts.libraryForm) msg[field] = 0;
        else msg[field] = dword();
        break;
      case 'word':
      case 'word?':
        msg[field] = word();
        break;
      case 'dataLength?':
        break;
      case 'qword?':
        if (opts.libraryForm || rnd() < 0.5) msg[field] = BigInt(dword()) * 0x10000n + BigInt(word());
        break;
      case 'struct':
        msg[field] = bytes();
        break;
      case 'called':
        msg[field] = rnd() < 0.2 ? undefined : { typePlan: int(255), digits: digits() };
        break;
      case 'calling':
        msg[field] =
          rnd() < 0.2 ? undefined : { typePlan: int(255), presentation: int(255), digits: digits() };
        break;
      case 'bprotocol':
        msg[field] =
          rnd() < 0.2
            ? undefined
            : {
                b1: word(),
                b2: word(),
                b3: word(),
                b1Config: bytes(),
                b2Config: bytes(),
                b3Config: bytes(),
                globalConfiguration: !opts.libraryForm && rnd() < 0.2 ? null : bytes(),
              };
        break;
      case 'addinfo':
        msg[field] =
          rnd() < 0.2
            ? undefined
            : {
                bChannelInformation: bytes(),
                keypadFacility: bytes(),
                userUserData: bytes(),
                facilityDataArray: bytes(),
                sendingComplete: !opts.libraryForm && rnd() < 0.2 ? null : bytes(),
              };
        break;
    }
  }
  if (name === 'DATA_B3_REQ' || name === 'DATA_B3_IND') msg.data = bytes(2048);
  return msg as unknown as CapiMessage;
}

/** `count` samples of every message type. */
export function sampleAll(seed: number, count = 1, opts: SampleOptions = {}): CapiMessage[] {
  const rnd = prng(seed);
  const out: CapiMessage[] = [];
  for (let i = 0; i < count; i++) for (const n of MESSAGE_NAMES) out.push(sampleMessage(n, rnd, opts));
  return out;
}
