// Simulator configuration: controllers, number plan, remote parties, timing. Everything has
// a default so `startSimulator()` with no arguments gives a useful exchange.
import { SimConfigError } from './errors.js';

/** Which B protocols a controller offers (profile bits: bit n = protocol value n). */
export interface ProfileMasks {
  globalOptions: number;
  b1: number;
  b2: number;
  b3: number;
}

/** A range of direct-dial-in numbers: same length, numeric compare. */
export interface DdiRange {
  from: string;
  to: string;
}

export interface ControllerConfig {
  /** 2 for an S0 (BRI) line, 30 for an S2M (PRI) line. */
  bChannels: number;
  /** Multiple subscriber numbers routed to this controller. */
  msns: string[];
  /** DDI ranges routed to this controller. */
  ddi: DdiRange[];
  profile: ProfileMasks;
}

/**
 * What a remote number does when we call it.
 * - fax: a G3 fax machine that receives; keeps and decodes what it got.
 * - busy / no-answer / reject: the network clears the call with that cause.
 * - voice: a telephone answers; no fax tones, so T.30 fails (Reason_B3 0x3311).
 * - data: an ISDN data terminal; accepts only unrestricted digital calls (CIP 2), else 0x34D8.
 */
export type PartyBehaviour =
  | {
      kind: 'fax';
      /** The remote station ID (CSI) it reports. */
      csi?: string;
      /** Highest bit rate it trains to (2400..14400); a low value is a slow line. */
      maxRate?: number;
      /** false: no fine resolution; a fine page is refused with Reason_B3 0x3313. */
      fine?: boolean;
      /** Hangs up after receiving this many pages (Reason_B3 0x3314). */
      hangUpAfterPage?: number;
    }
  | { kind: 'busy' }
  | {
      kind: 'no-answer' /** 0x3492 (no user responding) or 0x3493 (no answer); default 0x3493 */;
      cause?: number;
    }
  | { kind: 'reject' /** network cause as Reason, e.g. 0x3495; default 0x3495 */; cause?: number }
  | { kind: 'voice' }
  | { kind: 'data' };

/** Simulated durations of the phases of a call, in real-time milliseconds (scaled by timeFactor). */
export interface Timings {
  /** Dialling until the remote answers (or the network reports busy/reject). */
  answerMs: number;
  /** Ringing until a no-answer party is given up. */
  noAnswerMs: number;
  /** T.30 phase B: training until CONNECT_B3_ACTIVE_IND. */
  trainingMs: number;
  /** T.30 phase D per page (post-message handshake). */
  pageEndMs: number;
  /** Phase E after the last page until DISCONNECT_B3_IND. */
  releaseMs: number;
  /** How long a voice line listens for fax tones before T.30 gives up. */
  noFaxToneMs: number;
}

export interface SimConfig {
  /** Loopback address to listen on. */
  host: string;
  /** rcapi TCP port; 0 = ephemeral. */
  port: number;
  /** A second front door speaking the fritzbox remote-CAPI protocol; undefined = none, 0 = ephemeral. */
  fritzboxPort?: number;
  /** HTTP control port on loopback; undefined = none, 0 = ephemeral. */
  controlPort?: number;
  controllers: ControllerConfig[];
  parties: Record<string, PartyBehaviour>;
  /** 0 = as fast as possible, 1 = real time, in between for demos. */
  timeFactor: number;
  timings: Timings;
  /** Line bit rate the card offers when nothing lower is negotiated. */
  maxRate: number;
  /**
   * Which B3 protocols get the final fax NCPI (with the page count) in DISCONNECT_B3_IND:
   * 'all' (default), or 'b3-5-only' — a card that gives B3 4 calls no final NCPI, so the
   * application must count the pages itself (page ends).
   */
  finalNcpi?: 'all' | 'b3-5-only';
  manufacturer: string;
  serial: string;
  version: { capiMajor: number; capiMinor: number; manuMajor: number; manuMinor: number };
  /** CAPI messages kept in the trace ring buffer. */
  traceSize: number;
  /** Append every trace entry as a JSON line to this file. */
  traceFile?: string;
}

/** Standard fax-card profile: B1 {0,1,4}, B2 {0,1,4}, B3 {0,4,5}; internal controller. */
export const FAX_CARD_PROFILE: ProfileMasks = { globalOptions: 0x1, b1: 0x13, b2: 0x13, b3: 0x31 };

export const DEFAULT_TIMINGS: Timings = {
  answerMs: 2000,
  noAnswerMs: 30000,
  trainingMs: 3000,
  pageEndMs: 1500,
  releaseMs: 1000,
  noFaxToneMs: 10000,
};

/**
 * Default remote parties (documented in the README). Numbers are national without prefix
 * so they read like what an admin dials.
 */
export const DEFAULT_PARTIES: Record<string, PartyBehaviour> = {
  '5551000': { kind: 'fax', csi: '+49 555 1000' },
  '5551001': { kind: 'fax', csi: '+49 555 1001 SLOW', maxRate: 4800 },
  '5551002': { kind: 'fax', csi: '+49 555 1002 NOFINE', fine: false },
  '5551003': { kind: 'fax', csi: '+49 555 1003 HANGUP', hangUpAfterPage: 1 },
  '5552000': { kind: 'busy' },
  '5552001': { kind: 'no-answer' },
  '5552002': { kind: 'reject', cause: 0x3495 },
  '5553000': { kind: 'voice' },
  '5554000': { kind: 'data' },
};

export function defaultControllers(): ControllerConfig[] {
  return [
    { bChannels: 2, msns: ['3001', '3002'], ddi: [], profile: { ...FAX_CARD_PROFILE } },
    { bChannels: 2, msns: [], ddi: [{ from: '4000', to: '4099' }], profile: { ...FAX_CARD_PROFILE } },
  ];
}

export function defaultConfig(): SimConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    controllers: defaultControllers(),
    parties: { ...DEFAULT_PARTIES },
    timeFactor: 0,
    timings: { ...DEFAULT_TIMINGS },
    maxRate: 14400,
    manufacturer: 'faxgate capi-sim (rcapi)',
    serial: '0000001',
    version: { capiMajor: 2, capiMinor: 0, manuMajor: 1, manuMinor: 0 },
    traceSize: 2000,
  };
}

export interface ControllerInput {
  bChannels?: number;
  msns?: string[];
  ddi?: DdiRange[];
  profile?: Partial<ProfileMasks>;
}

export interface SimConfigInput extends Partial<Omit<SimConfig, 'controllers' | 'timings' | 'version'>> {
  controllers?: ControllerInput[];
  timings?: Partial<Timings>;
  version?: SimConfig['version'];
}

const PARTY_KINDS = new Set(['fax', 'busy', 'no-answer', 'reject', 'voice', 'data']);

/** Merges user input over the defaults and checks it, so a bad file fails at start, clearly. */
export function resolveConfig(input: SimConfigInput = {}): SimConfig {
  const base = defaultConfig();
  const cfg: SimConfig = {
    ...base,
    ...input,
    controllers: input.controllers
      ? input.controllers.map((c) => ({
          bChannels: c.bChannels ?? 2,
          msns: c.msns ?? [],
          ddi: c.ddi ?? [],
          profile: { ...FAX_CARD_PROFILE, ...c.profile },
        }))
      : base.controllers,
    timings: { ...base.timings, ...input.timings },
    parties: input.parties ?? base.parties,
    version: input.version ?? base.version,
  };
  if (cfg.controllers.length < 1 || cfg.controllers.length > 127) {
    throw new SimConfigError(`controllers: ${cfg.controllers.length} is outside 1..127`);
  }
  cfg.controllers.forEach((c, i) => {
    if (!Number.isInteger(c.bChannels) || c.bChannels < 1 || c.bChannels > 30) {
      throw new SimConfigError(`controller ${i + 1}: bChannels ${c.bChannels} is outside 1..30`);
    }
    for (const r of c.ddi) {
      if (!/^\d+$/.test(r.from) || !/^\d+$/.test(r.to) || r.from.length !== r.to.length) {
        throw new SimConfigError(
          `controller ${i + 1}: DDI range ${r.from}-${r.to} must be two digit strings of equal length`,
        );
      }
    }
  });
  if (!(cfg.timeFactor >= 0 && cfg.timeFactor <= 1000)) {
    throw new SimConfigError(`timeFactor ${cfg.timeFactor} is outside 0..1000`);
  }
  if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535)
    throw new SimConfigError(`port ${cfg.port} is invalid`);
  for (const [num, p] of Object.entries(cfg.parties)) {
    if (!/^\+?\d{1,32}$/.test(num)) throw new SimConfigError(`party number '${num}' is not a phone number`);
    if (!p || !PARTY_KINDS.has(p.kind))
      throw new SimConfigError(`party ${num}: unknown kind '${(p as { kind?: string })?.kind}'`);
  }
  if (!Number.isInteger(cfg.traceSize) || cfg.traceSize < 0)
    throw new SimConfigError(`traceSize ${cfg.traceSize} is invalid`);
  return cfg;
}
