// Line supervision: each controller of `lines.controllers` is up or down, from the socket
// events of the CAPI applications that use it (report()), CAPI errors and a periodic probe
// (GET_PROFILE of every controller, bounded by a timeout). On loss: `line.down` audited and
// logged, listeners told (the send worker places no call on it, /health answers 503); then
// reconnect attempts with jittered exponential backoff (≤ 30 s): probe, then the restore
// steps (REGISTER + LISTEN of the listening side, controller evidence re-read); when all
// succeeded, `line.up` audited and logged.
import { EventEmitter } from 'node:events';
import { appendAuditEvent } from '@faxgate/audit';
import { type CapiTransport, parseProfile } from '@faxgate/capi-bindings';
import type { Db } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { type Backoff, backoffDelay, LINE_BACKOFF } from './backoff.js';
import { listOutOfService, type OutOfService } from './service.js';

/** out-of-service: an operator took it out (line_service); no call is placed or taken on it. */
export type LineCondition = 'up' | 'down' | 'unknown' | 'out-of-service';

/** One controller's line as the API and the CLI show it. */
export interface LineView {
  /** 'controller 1' — also the name /health gives. */
  name: string;
  controller: number;
  state: LineCondition;
  /** Since when in this state (ISO time); null before the first probe. */
  since: string | null;
  lastError: string | null;
  /** Reconnect attempts since it went down (0 while up). */
  reconnectAttempts: number;
  /** From the controller's profile, once read. */
  bChannels: number | null;
  /** Set while an operator has the line out of service (who, why, since when). */
  outOfService?: { reason: string; setBy: string; since: string } | null;
}

export interface LinesView {
  transport: FaxgateConfig['lines']['transport'];
  lines: LineView[];
}

/** A step that brings a line back into service (REGISTER + LISTEN, evidence); throws on failure. */
export type RestoreStep = (controllers: number[]) => Promise<void>;

export interface SupervisorOptions {
  config: FaxgateConfig;
  db: Db;
  log: Logger;
  actor: string;
  /** The transport the probe uses (it survives a server restart: each call reconnects). */
  transport: CapiTransport;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  backoff?: Backoff;
}

export interface LineSupervisor extends EventEmitter<{ change: [LineView[]] }> {
  /** The first probe is done (its outcome is in state()). */
  readonly ready: Promise<void>;
  state(): LinesView;
  /** Names of the configured lines that are down ('controller 1'), for /health. */
  down(): string[];
  isUp(controller: number): boolean;
  /** A socket or CAPI error seen by a user of the line: down now, reconnect at once. */
  report(error: Error, controllers?: number[]): void;
  /** Runs on every return, in the order added, before `line.up` is recorded. */
  addRestoreStep(step: RestoreStep): void;
  /** Runs when lines go out of service (e.g. stop LISTENing on them). */
  addWithdrawStep(step: RestoreStep): void;
  /** Reads line_service now (after an operator's change) and follows it. */
  refreshService(): Promise<void>;
  stop(): Promise<void>;
}

export const PROBE_INTERVAL_MS = 5000;
export const PROBE_TIMEOUT_MS = 3000;

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

interface Line {
  controller: number;
  state: LineCondition;
  since: Date | null;
  lastError: string | null;
  attempts: number;
  bChannels: number | null;
  service: OutOfService | null;
}

class Supervisor extends EventEmitter<{ change: [LineView[]] }> implements LineSupervisor {
  readonly ready: Promise<void>;
  private readonly lines: Line[];
  private readonly steps: RestoreStep[] = [];
  private readonly withdrawSteps: RestoreStep[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private audits: Promise<void> = Promise.resolve();
  private readonly interval: number;
  private readonly timeout: number;
  private readonly backoff: Backoff;

  constructor(private readonly o: SupervisorOptions) {
    super();
    this.interval = o.probeIntervalMs ?? PROBE_INTERVAL_MS;
    this.timeout = o.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
    this.backoff = o.backoff ?? LINE_BACKOFF;
    this.lines = o.config.lines.controllers.map((controller) => ({
      controller,
      state: 'unknown',
      since: null,
      lastError: null,
      attempts: 0,
      bChannels: null,
      service: null,
    }));
    this.ready = this.runTick();
  }

  private get where(): string {
    const l = this.o.config.lines;
    return l.transport === 'native' ? 'libcapi20' : `rcapi ${l.host}:${l.port}`;
  }

  state(): LinesView {
    return {
      transport: this.o.config.lines.transport,
      lines: this.lines.map((l) => this.view(l)),
    };
  }

  private view(l: Line): LineView {
    return {
      name: `controller ${l.controller}`,
      controller: l.controller,
      state: l.service ? 'out-of-service' : l.state,
      since: l.since?.toISOString() ?? null,
      lastError: l.lastError,
      reconnectAttempts: l.attempts,
      bChannels: l.bChannels,
      outOfService: l.service
        ? { reason: l.service.reason, setBy: l.service.setBy, since: l.service.since.toISOString() }
        : null,
    };
  }

  down(): string[] {
    // A line taken out of service on purpose is not a fault.
    return this.lines
      .filter((l) => l.state === 'down' && !l.service)
      .map((l) => `controller ${l.controller}`);
  }

  isUp(controller: number): boolean {
    const l = this.lines.find((x) => x.controller === controller);
    return l?.state === 'up' && !l.service;
  }

  addRestoreStep(step: RestoreStep): void {
    this.steps.push(step);
  }

  addWithdrawStep(step: RestoreStep): void {
    this.withdrawSteps.push(step);
  }

  async refreshService(): Promise<void> {
    // A tick under way may have read the table before the change: one more after it.
    await this.running?.catch(() => {});
    await this.runTick();
  }

  /**
   * Follows line_service: lines going out are withdrawn (no LISTEN), lines coming back and
   * answering go through the restore steps (REGISTER + LISTEN, evidence) before they are used.
   */
  private async followService(): Promise<void> {
    const out = new Map((await listOutOfService(this.o.db)).map((o) => [o.controller, o]));
    const leaving = this.lines.filter((l) => !l.service && out.has(l.controller));
    const returning = this.lines.filter((l) => l.service && !out.has(l.controller));
    for (const l of this.lines) l.service = out.get(l.controller) ?? null;
    if (leaving.length === 0 && returning.length === 0) return;
    const names = (ls: Line[]) => ls.map((l) => `controller ${l.controller}`).join(', ');
    if (leaving.length > 0) {
      this.o.log.warn(`line ${names(leaving)} out of service (${leaving[0].service?.setBy}): no calls on it`);
      // Unusable for sends at once (the change below); the LISTEN is withdrawn after.
      this.emit(
        'change',
        this.lines.map((x) => this.view(x)),
      );
      const controllers = leaving.map((l) => l.controller);
      for (const step of this.withdrawSteps)
        await bounded(step(controllers), this.timeout * 3, 'withdrawing the line').catch((e: Error) =>
          this.o.log.error(`line ${names(leaving)}: LISTEN not withdrawn: ${e.message}`),
        );
    }
    const back = returning.filter((l) => l.state === 'up');
    if (back.length > 0) {
      try {
        for (const step of this.steps)
          await bounded(step(back.map((l) => l.controller)), this.timeout * 3, 'restoring the line');
      } catch (e) {
        // Not usable yet: down, and the reconnect attempts bring it back as any lost line.
        this.markDown(back, (e as Error).message);
        return;
      }
    }
    if (returning.length > 0) {
      this.o.log.info(`line ${names(returning)} back in service`);
      this.emit(
        'change',
        this.lines.map((x) => this.view(x)),
      );
    }
  }

  report(error: Error, controllers?: number[]): void {
    if (this.stopped) return;
    const hit = this.lines.filter(
      (l) => l.state !== 'down' && (!controllers || controllers.includes(l.controller)),
    );
    if (hit.length === 0) return;
    this.markDown(hit, error.message);
    this.schedule(0);
  }

  private markDown(lines: Line[], reason: string): void {
    const now = new Date();
    const fell = lines.filter((l) => l.state !== 'down');
    for (const l of lines) {
      l.lastError = reason;
      if (l.state !== 'down') {
        l.state = 'down';
        l.since = now;
        l.attempts = 0;
      }
    }
    if (fell.length === 0) return;
    const names = fell.map((l) => `controller ${l.controller}`).join(', ');
    this.o.log.warn(`line ${names} (${this.where}) down: ${reason}; reconnecting`);
    for (const l of fell) this.audit('line.down', l, { reason });
    this.emit(
      'change',
      this.lines.map((x) => this.view(x)),
    );
  }

  private markUp(lines: Line[]): void {
    const now = new Date();
    const rose = lines.filter((l) => l.state !== 'up');
    for (const l of rose) {
      const wasDown = l.state === 'down';
      const downMs = l.since ? now.getTime() - l.since.getTime() : 0;
      const attempts = l.attempts;
      l.state = 'up';
      l.since = now;
      l.attempts = 0;
      if (wasDown) {
        this.o.log.info(
          `line controller ${l.controller} (${this.where}) up again after ${(downMs / 1000).toFixed(1)} s (${attempts} reconnect attempts)`,
        );
        this.audit('line.up', l, { downMs, reconnectAttempts: attempts, lastError: l.lastError });
      }
    }
    if (rose.length > 0)
      this.emit(
        'change',
        this.lines.map((x) => this.view(x)),
      );
  }

  private audit(type: 'line.down' | 'line.up', l: Line, details: Record<string, unknown>): void {
    const { db, actor, config, log } = this.o;
    // One after the other, in the order of the transitions (a down and the up after it are
    // never recorded the wrong way round).
    this.audits = this.audits.then(() =>
      db
        .transaction((trx) =>
          appendAuditEvent(trx, {
            type,
            actor,
            subject: `line:controller-${l.controller}`,
            details: {
              line: `controller ${l.controller}`,
              controller: l.controller,
              transport: config.lines.transport,
              ...details,
            },
          }),
        )
        .then(
          () => undefined,
          (e: Error) => {
            log.error(`${type} of controller ${l.controller} not recorded: ${e.message}`);
          },
        ),
    );
  }

  /** GET_PROFILE of every controller: which answer, which do not. */
  private async probe(): Promise<{ ok: Map<number, number>; failed: Map<number, string> }> {
    const ok = new Map<number, number>();
    const failed = new Map<number, string>();
    await Promise.all(
      this.lines.map(async (l) => {
        try {
          const profile = await bounded(
            this.o.transport.getProfile(l.controller),
            this.timeout,
            `GET_PROFILE of controller ${l.controller}`,
          );
          ok.set(l.controller, parseProfile(profile).bChannels);
        } catch (e) {
          failed.set(l.controller, (e as Error).message);
        }
      }),
    );
    return { ok, failed };
  }

  private async tick(): Promise<void> {
    await this.followService().catch((e: Error) =>
      this.o.log.error(`line supervision: out-of-service lines not read: ${e.message}`),
    );
    const { ok, failed } = await this.probe();
    if (this.stopped) return;
    for (const [c, n] of ok) {
      const l = this.lines.find((x) => x.controller === c) as Line;
      if (l.bChannels !== n) {
        l.bChannels = n;
        this.emit(
          'change',
          this.lines.map((x) => this.view(x)),
        );
      }
    }
    const failedLines = this.lines.filter((l) => failed.has(l.controller));
    for (const l of failedLines) {
      this.markDown([l], failed.get(l.controller) as string);
      l.attempts++;
    }
    // Answering lines that were down (or not known yet) come back through the restore steps.
    // A line out of service that answers again is up, but not restored (no LISTEN) until it is back in service.
    const answering = this.lines.filter((l) => ok.has(l.controller) && l.state !== 'up');
    this.markUp(answering.filter((l) => l.service));
    const back = answering.filter((l) => !l.service);
    if (back.length > 0) {
      const controllers = back.map((l) => l.controller);
      try {
        for (const step of this.steps)
          await bounded(step(controllers), this.timeout * 3, 'restoring the line');
        if (this.stopped) return;
        this.markUp(back);
      } catch (e) {
        if (this.stopped) return;
        for (const l of back) {
          this.markDown([l], (e as Error).message);
          l.attempts++;
        }
      }
    }
  }

  private runTick(): Promise<void> {
    const running =
      this.running ??
      this.tick()
        .catch((e: Error) => {
          this.o.log.error(`line supervision: ${e.message}`);
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped && !this.timer) this.schedule();
        });
    this.running = running;
    return running;
  }

  /** The next tick: `ms`, or the probe interval while all are up, or the backoff of the longest-down line. */
  private schedule(ms?: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    let delay = ms;
    if (delay === undefined) {
      const down = this.lines.filter((l) => l.state !== 'up');
      delay =
        down.length === 0
          ? this.interval
          : backoffDelay(Math.max(1, Math.min(...down.map((l) => l.attempts))), this.backoff);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) {
        // A tick is under way: look again when it ends.
        void this.running.then(() => this.schedule(0));
        return;
      }
      void this.runTick();
    }, delay);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
    await this.audits;
  }
}

export function startLineSupervisor(opts: SupervisorOptions): LineSupervisor {
  return new Supervisor(opts);
}
