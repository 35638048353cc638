// Controller evidence (M 4.59): what each controller offers (its CAPI profile), what faxgate
// uses of it (fax only), and every change between two checks.
import { type CapiTransport, GlobalOption, parseProfile } from '@faxgate/capi-bindings';
import type { LockdownEventSink } from './events.js';
import { type LockdownPolicy, listenCipMask } from './policy.js';

const B1_NAMES = [
  '64k HDLC',
  '64k transparent',
  'V.110 async',
  'V.110 sync',
  'T.30 fax G3',
  '64k inverted HDLC',
  '56k transparent',
  'modem negotiation',
  'modem async',
  'modem sync',
];
const B2_NAMES = [
  'X.75 SLP',
  'transparent',
  'SDLC',
  'LAPD',
  'T.30 fax G3',
  'PPP',
  'transparent ignoring framing',
  'modem with error correction',
  'X.75 + V.42bis',
  'V.120 async',
  'V.120 async + V.42bis',
  'V.120 transparent',
  'LAPD with SAPI',
];
const B3_NAMES = [
  'transparent',
  'T.90NL',
  'ISO 8208',
  'X.25 DCE',
  'T.30 fax G3',
  'T.30 fax G3 extended',
  '',
  'modem',
];
const OPTION_NAMES: Record<number, string> = {
  [GlobalOption.INTERNAL_CONTROLLER]: 'internal controller',
  [GlobalOption.EXTERNAL_EQUIPMENT]: 'external equipment',
  [GlobalOption.HANDSET]: 'handset',
  [GlobalOption.DTMF]: 'DTMF',
  [GlobalOption.SUPPLEMENTARY_SERVICES]: 'supplementary services',
  [GlobalOption.CHANNEL_ALLOCATION]: 'channel allocation',
  [GlobalOption.B_CHANNEL_OPERATION]: 'B channel operation',
  [GlobalOption.LINE_INTERCONNECT]: 'line interconnect',
};
/** Global options that are a controller's nature rather than a service it offers. */
const NEUTRAL_OPTIONS = GlobalOption.INTERNAL_CONTROLLER | GlobalOption.CHANNEL_ALLOCATION;

function bits(mask: number, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let n = 0; n < 32; n++) if ((mask >>> n) & 1) out.push(names[n] || `protocol ${n}`);
  return out;
}

function optionNames(mask: number): string[] {
  const out: string[] = [];
  for (let n = 0; n < 32; n++) {
    const bit = (1 << n) >>> 0;
    if (mask & bit) out.push(OPTION_NAMES[bit] ?? `option bit ${n}`);
  }
  return out;
}

export interface ControllerEvidence {
  controller: number;
  manufacturer: string;
  serial: string;
  version: string;
  bChannels: number;
  /** Raw masks as read, for exact comparison. */
  globalOptions: number;
  b1: number;
  b2: number;
  b3: number;
  offered: { b1: string[]; b2: string[]; b3: string[]; options: string[] };
  /** What faxgate uses of it: B1/B2 T.30, B3 4/5 per policy, nothing else. */
  used: { b1: string[]; b2: string[]; b3: string[]; options: string[] };
  /** Offered but never used: the guard refuses every message that would use them. */
  unused: string[];
  faxCapable: boolean;
}

export interface EvidenceSnapshot {
  takenAt: string;
  mode: LockdownPolicy['mode'];
  listenCipMask: number;
  controllers: ControllerEvidence[];
}

export interface EvidenceChange {
  controller: number;
  field: string;
  before: unknown;
  after: unknown;
}

type ProfileSource = Pick<CapiTransport, 'getProfile' | 'getManufacturer' | 'getSerialNumber' | 'getVersion'>;

export async function collectEvidence(
  transport: ProfileSource,
  policy: LockdownPolicy,
): Promise<EvidenceSnapshot> {
  const count = parseProfile(await transport.getProfile(0)).controllers;
  const controllers: ControllerEvidence[] = [];
  for (let c = 1; c <= count; c++) {
    const p = parseProfile(await transport.getProfile(c));
    const v = await transport.getVersion(c);
    const usedB3 = policy.b3Protocols.filter((b3) => (p.b3 >>> b3) & 1).map((b3) => B3_NAMES[b3]);
    const offered = {
      b1: bits(p.b1, B1_NAMES),
      b2: bits(p.b2, B2_NAMES),
      b3: bits(p.b3, B3_NAMES),
      options: optionNames(p.globalOptions & ~NEUTRAL_OPTIONS),
    };
    const used = { b1: [B1_NAMES[4]], b2: [B2_NAMES[4]], b3: usedB3, options: [] as string[] };
    const usedAll = new Set([
      ...used.b1.map((n) => `B1 ${n}`),
      ...used.b2.map((n) => `B2 ${n}`),
      ...used.b3.map((n) => `B3 ${n}`),
    ]);
    const unused = [
      ...offered.b1.map((n) => `B1 ${n}`),
      ...offered.b2.map((n) => `B2 ${n}`),
      ...offered.b3.map((n) => `B3 ${n}`),
      ...offered.options,
    ].filter((n) => !usedAll.has(n));
    controllers.push({
      controller: c,
      manufacturer: await transport.getManufacturer(c),
      serial: await transport.getSerialNumber(c),
      version: `CAPI ${v.capiMajor}.${v.capiMinor}, manufacturer ${v.manufacturerMajor}.${v.manufacturerMinor}`,
      bChannels: p.bChannels,
      globalOptions: p.globalOptions,
      b1: p.b1,
      b2: p.b2,
      b3: p.b3,
      offered,
      used,
      unused,
      faxCapable: ((p.b1 >>> 4) & 1) === 1 && ((p.b2 >>> 4) & 1) === 1 && usedB3.length > 0,
    });
  }
  return {
    takenAt: new Date().toISOString(),
    mode: policy.mode,
    listenCipMask: listenCipMask(policy),
    controllers,
  };
}

const COMPARED: Array<keyof ControllerEvidence> = [
  'manufacturer',
  'serial',
  'version',
  'bChannels',
  'globalOptions',
  'b1',
  'b2',
  'b3',
];

/** Every difference between two snapshots, per controller and field. */
export function diffEvidence(
  before: EvidenceSnapshot | undefined,
  after: EvidenceSnapshot,
): EvidenceChange[] {
  if (!before) return [];
  const changes: EvidenceChange[] = [];
  if (before.mode !== after.mode)
    changes.push({ controller: 0, field: 'mode', before: before.mode, after: after.mode });
  if (before.listenCipMask !== after.listenCipMask) {
    changes.push({
      controller: 0,
      field: 'listenCipMask',
      before: before.listenCipMask,
      after: after.listenCipMask,
    });
  }
  const ids = new Set([...before.controllers, ...after.controllers].map((c) => c.controller));
  for (const id of [...ids].sort((a, b) => a - b)) {
    const a = before.controllers.find((c) => c.controller === id);
    const b = after.controllers.find((c) => c.controller === id);
    if (!a || !b) {
      changes.push({ controller: id, field: 'present', before: Boolean(a), after: Boolean(b) });
      continue;
    }
    for (const f of COMPARED)
      if (a[f] !== b[f]) changes.push({ controller: id, field: f, before: a[f], after: b[f] });
  }
  return changes;
}

/** Where the last snapshot lives between checks (the gateway keeps it in PostgreSQL). */
export interface EvidenceStore {
  load(): Promise<EvidenceSnapshot | undefined>;
  save(snapshot: EvidenceSnapshot): Promise<void>;
}

export interface EvidenceCheck {
  snapshot: EvidenceSnapshot;
  changes: EvidenceChange[];
  first: boolean;
}

/**
 * One check: read every controller, compare with the last snapshot, record. The first check
 * records the full evidence; later checks record only changes (each one an audit event).
 */
export async function checkEvidence(
  transport: ProfileSource,
  policy: LockdownPolicy,
  store: EvidenceStore,
  onEvent?: LockdownEventSink,
): Promise<EvidenceCheck> {
  const previous = await store.load();
  const snapshot = await collectEvidence(transport, policy);
  const changes = diffEvidence(previous, snapshot);
  if (!previous) await onEvent?.({ type: 'lockdown.evidence', details: { snapshot } });
  if (changes.length > 0)
    await onEvent?.({ type: 'lockdown.profile_changed', details: { changes, snapshot } });
  if (!previous || changes.length > 0) await store.save(snapshot);
  return { snapshot, changes, first: !previous };
}
