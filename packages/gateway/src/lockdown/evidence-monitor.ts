// M 4.59 asks to re-check the card's parameters periodically and record every change: the
// daemon reads every controller at start and every lockdown.evidenceIntervalMinutes.
import { checkEvidence, type EvidenceChange } from '@faxgate/isdn-lockdown';
import type { Db } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { AuditEvidenceStore, auditLockdownEvents } from './evidence-store.js';
import { lockdownPolicy, openLineTransport } from './policy.js';

export interface EvidenceState {
  checkedAt: string | null;
  ok: boolean | null;
  controllers: number;
  changes: EvidenceChange[];
  error?: string;
}

export interface EvidenceMonitor {
  state(): EvidenceState;
  /** Runs one check now (also what the timer does). */
  check(): Promise<EvidenceState>;
  stop(): Promise<void>;
}

export function startEvidenceMonitor(opts: {
  config: FaxgateConfig;
  db: Db;
  log: Logger;
  actor: string;
}): EvidenceMonitor {
  const { config, db, log, actor } = opts;
  const policy = lockdownPolicy(config);
  const store = new AuditEvidenceStore(db);
  const record = auditLockdownEvents(db, actor);
  let state: EvidenceState = { checkedAt: null, ok: null, controllers: 0, changes: [] };
  let running: Promise<EvidenceState> | undefined;

  const runOnce = async (): Promise<EvidenceState> => {
    const checkedAt = new Date().toISOString();
    const transport = await openLineTransport(config).catch((e: Error) => e);
    if (transport instanceof Error) {
      state = { checkedAt, ok: false, controllers: 0, changes: [], error: transport.message };
      return state;
    }
    try {
      const r = await checkEvidence(transport, policy, store, record);
      state = { checkedAt, ok: true, controllers: r.snapshot.controllers.length, changes: r.changes };
      if (r.changes.length)
        log.warn(
          `controller evidence changed: ${r.changes.map((c) => `${c.controller}.${c.field}`).join(', ')}`,
        );
    } catch (e) {
      const error = `${config.lines.transport} ${config.lines.host}:${config.lines.port}: ${(e as Error).message}`;
      if (state.ok !== false) log.warn(`controller evidence could not be read: ${error}`);
      state = { checkedAt, ok: false, controllers: 0, changes: [], error };
    } finally {
      await transport.close().catch(() => {});
    }
    return state;
  };
  const check = () => {
    running ??= runOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  void check();
  const timer = setInterval(() => void check(), config.lockdown.evidenceIntervalMinutes * 60_000);
  timer.unref();
  return {
    state: () => state,
    check,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
