// The lockdown's promises, proven against capi-sim through a real CAPI transport. Both the
// rcapi and the native (libcapi20) test files run these same scenarios.
import {
  CapiSession,
  type CapiTransport,
  Cip,
  type FaxResult,
  faxBProtocol,
  receiveFaxes,
} from '@faxgate/capi-bindings';
import type { Simulator } from '@faxgate/capi-sim';
import { createPage, setPixel } from '@faxgate/fax-core';
import { expect, it } from 'vitest';
import { LockdownViolationError } from '../errors.js';
import type { LockdownEvent } from '../events.js';
import { checkEvidence, type EvidenceSnapshot } from '../evidence.js';
import { LockdownTransport } from '../lockdown-transport.js';
import { listenCipMask, resolvePolicy } from '../policy.js';

export interface ScenarioContext {
  sim: () => Simulator;
  /** A fresh transport to the simulator (rcapi or native). */
  transport: () => CapiTransport;
}

function faxPage() {
  const p = createPage(1728, 40, 'fine');
  for (let y = 5; y < 35; y++) for (let x = 100; x < 400; x++) setPixel(p, x, y, true);
  return p;
}

/** Names of the messages the simulator saw for one PLCI after trace entry `since`, in order. */
function traceFor(sim: Simulator, plci: number, since: number): string[] {
  return sim.trace
    .entries()
    .filter((e) => e.seq > since)
    .filter((e) => {
      const m = e.message as { plci?: number; ncci?: number } | undefined;
      const addr = m?.plci ?? m?.ncci;
      return addr !== undefined && (addr & 0xffff) === plci;
    })
    .map((e) => `${e.dir}:${e.name}`);
}

/** Polls a condition (never a fixed sleep), failing after a generous deadline. */
async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function lastSeq(sim: Simulator): number {
  return sim.trace.entries().at(-1)?.seq ?? 0;
}

async function open(
  ctx: ScenarioContext,
  mode: 'send-receive' | 'outgoing-only',
  tsiBlocklist: string[] = [],
) {
  const events: LockdownEvent[] = [];
  const policy = resolvePolicy({ mode, tsiBlocklist });
  const transport = new LockdownTransport(ctx.transport(), { policy, onEvent: (e) => void events.push(e) });
  const session = await CapiSession.open(transport, { maxLogicalConnection: 4 });
  await session.listen(1, listenCipMask(policy));
  return { events, policy, transport, session };
}

export function lockdownScenarios(ctx: ScenarioContext): void {
  it('rejects data, speech and video calls without answering, and accepts a fax call', async () => {
    const { events, session, transport } = await open(ctx, 'send-receive');
    const seen: number[] = [];
    let received: (r: FaxResult) => void = () => {};
    const result = new Promise<FaxResult>((resolve) => {
      received = resolve;
    });
    const stop = receiveFaxes(session, (call) => {
      seen.push(call.cipValue);
      return { action: 'accept', stationId: 'FAXGATE', onResult: received };
    });
    try {
      const sim = ctx.sim();
      for (const service of ['data', 'speech', 'video'] as const) {
        const since = lastSeq(sim);
        const rec = await sim.injectCall({ from: '0301111', to: '3001', service, ignoreListen: true });
        expect(rec.outcome, service).toBe('rejected');
        const msgs = traceFor(sim, rec.plci & 0xffff, since);
        expect(msgs).toContain('in:CONNECT_RESP');
        expect(msgs, `${service} must never be answered`).not.toContain('out:CONNECT_ACTIVE_IND');
      }
      expect(seen).toEqual([]); // the application never saw them
      const rejected = events.filter((e) => e.type === 'lockdown.call_rejected');
      expect(rejected.map((e) => e.details.rule)).toEqual([
        'service-not-allowed',
        'service-not-allowed',
        'service-not-allowed',
      ]);
      expect(rejected.map((e) => e.details.reject)).toEqual([7, 7, 7]);

      const fax = await sim.injectCall({ from: '0302222', to: '3001', document: [faxPage()] });
      expect(fax.outcome).toBe('completed');
      expect(seen).toHaveLength(1); // analog fax arrives as 3.1 kHz audio, ISDN fax as G3 fax
      expect([Cip.AUDIO_3_1_KHZ, Cip.FAX_G2_G3]).toContain(seen[0]);
      expect(await result).toMatchObject({ ok: true, pages: 1 });
      expect(transport.counters.callsRejected).toBe(3);
      expect(transport.counters.callsOffered).toBe(1);
    } finally {
      stop();
      await session.close();
      await transport.close();
    }
  });

  it('outgoing-only: listens for nothing and rejects every call, even one offered without LISTEN', async () => {
    const { events, session, transport } = await open(ctx, 'outgoing-only');
    const seen: number[] = [];
    const stop = receiveFaxes(session, (call) => {
      seen.push(call.cipValue);
      return { action: 'accept', stationId: 'FAXGATE' };
    });
    try {
      const sim = ctx.sim();
      const listens = sim.trace.entries().filter((e) => e.name === 'LISTEN_REQ' && e.dir === 'in');
      expect(listens.at(-1)?.message).toMatchObject({ cipMask: 0 });
      const since = lastSeq(sim);
      const fax = await sim.injectCall({
        from: '0303333',
        to: '3001',
        document: [faxPage()],
        ignoreListen: true,
      });
      expect(fax.outcome).toBe('rejected');
      const msgs = traceFor(sim, fax.plci & 0xffff, since);
      expect(msgs).toContain('in:CONNECT_RESP');
      expect(msgs).not.toContain('out:CONNECT_ACTIVE_IND');
      expect(seen).toEqual([]);
      expect(events.find((e) => e.type === 'lockdown.call_rejected')?.details).toMatchObject({
        rule: 'outgoing-only',
        reject: 2,
      });
      // The application cannot answer either: a forged accept is refused before the card.
      await expect(
        session.send({
          name: 'CONNECT_RESP',
          plci: fax.plci,
          reject: 0,
          bProtocol: faxBProtocol({ b3: 4, resolution: 1, format: 0, stationId: 'X', headLine: '' }),
        }),
      ).rejects.toBeInstanceOf(LockdownViolationError);
    } finally {
      stop();
      await session.close();
      await transport.close();
    }
  });

  it('a rejected call is on record before the reject goes out (the sink is awaited)', async () => {
    const policy = resolvePolicy({ mode: 'outgoing-only' });
    const events: LockdownEvent[] = [];
    let release: () => void = () => {};
    const recorded = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transport = new LockdownTransport(ctx.transport(), {
      policy,
      onEvent: (e) => {
        events.push(e);
        return recorded; // a sink still writing
      },
    });
    const session = await CapiSession.open(transport, { maxLogicalConnection: 4 });
    try {
      await session.listen(1, listenCipMask(policy));
      const sim = ctx.sim();
      const since = lastSeq(sim);
      const call = sim.injectCall({ from: '0304444', to: '3001', service: 'speech', ignoreListen: true });
      await until(() => events.length > 0);
      const plci = (events[0].details.plci as number) & 0xffff;
      // Give the transport every chance to send early: a round trip through the simulator.
      await transport.getManufacturer(1);
      expect(traceFor(sim, plci, since)).not.toContain('in:CONNECT_RESP');
      release();
      expect((await call).outcome).toBe('rejected');
      expect(traceFor(sim, plci, since)).toContain('in:CONNECT_RESP');
    } finally {
      release();
      await session.close();
      await transport.close();
    }
  });

  it('cuts off a sender whose TSI is on the blocklist right after training (M 4.37)', async () => {
    const { events, session, transport } = await open(ctx, 'send-receive', ['^JUNK']);
    let received: (r: FaxResult) => void = () => {};
    const result = new Promise<FaxResult>((resolve) => {
      received = resolve;
    });
    const stop = receiveFaxes(session, () => ({
      action: 'accept',
      stationId: 'FAXGATE',
      onResult: received,
    }));
    try {
      const sim = ctx.sim();
      const since = lastSeq(sim);
      const pages = [faxPage(), faxPage(), faxPage()];
      const rec = await sim.injectCall({ from: '0304444', to: '3001', document: pages, csi: 'JUNK MAIL 1' });
      const r = await result;
      expect(r.ok).toBe(false);
      expect(r.pages).toBeLessThan(3);
      expect(rec.outcome).not.toBe('completed');
      const msgs = traceFor(sim, rec.plci & 0xffff, since);
      expect(msgs).toContain('in:DISCONNECT_B3_REQ');
      expect(events.find((e) => e.details.rule === 'tsi-blocked')?.details).toMatchObject({
        tsi: 'JUNK MAIL 1',
      });
      // A sender with another TSI still gets through.
      const ok = new Promise<FaxResult>((resolve) => {
        received = resolve;
      });
      await sim.injectCall({ from: '0304444', to: '3001', document: [faxPage()], csi: 'ACME' });
      expect(await ok).toMatchObject({ ok: true, pages: 1 });
    } finally {
      stop();
      await session.close();
      await transport.close();
    }
  });

  it('refuses a forbidden message before it reaches the card', async () => {
    const { events, session, transport } = await open(ctx, 'send-receive');
    try {
      const sim = ctx.sim();
      const before = sim.trace.entries().length;
      await expect(
        session.send({
          name: 'FACILITY_REQ',
          address: 1,
          facilitySelector: 1,
          facilityRequestParameter: new Uint8Array([1, 2]),
        } as never),
      ).rejects.toThrow(LockdownViolationError);
      await expect(
        session.request({
          name: 'CONNECT_REQ',
          controller: 1,
          cipValue: Cip.UNRESTRICTED_DIGITAL,
          calledPartyNumber: { typePlan: 0x80, digits: '5554000' },
          bProtocol: { b1: 1, b2: 1, b3: 0 },
        } as never),
      ).rejects.toThrow(/not an allowed outgoing service/);
      const after = sim.trace
        .entries()
        .slice(before)
        .map((e) => e.name);
      expect(after).not.toContain('FACILITY_REQ');
      expect(after).not.toContain('CONNECT_REQ');
      expect(events.filter((e) => e.type === 'lockdown.violation')).toHaveLength(2);
      expect(transport.counters.refused).toBe(2);
    } finally {
      await session.close();
      await transport.close();
    }
  });

  it('flags and records a profile change between two evidence checks', async () => {
    const sim = ctx.sim();
    const transport = ctx.transport();
    const policy = resolvePolicy();
    let saved: EvidenceSnapshot | undefined;
    const store = {
      load: async () => saved,
      save: async (s: EvidenceSnapshot) => {
        saved = s;
      },
    };
    const events: LockdownEvent[] = [];
    try {
      const first = await checkEvidence(transport, policy, store, (e) => void events.push(e));
      expect(first.first).toBe(true);
      expect(first.snapshot.controllers[0].faxCapable).toBe(true);
      const quiet = await checkEvidence(transport, policy, store, (e) => void events.push(e));
      expect(quiet.changes).toEqual([]);
      sim.setProfile(1, { globalOptions: first.snapshot.controllers[0].globalOptions | (1 << 3) }); // DTMF appears
      const changed = await checkEvidence(transport, policy, store, (e) => void events.push(e));
      expect(changed.changes).toEqual([expect.objectContaining({ controller: 1, field: 'globalOptions' })]);
      expect(changed.snapshot.controllers[0].offered.options).toContain('DTMF');
      expect(events.map((e) => e.type)).toEqual(['lockdown.evidence', 'lockdown.profile_changed']);
    } finally {
      await transport.close();
    }
  });
}
