// The queue settings as the pipeline uses them: the `queue:` configuration section with every
// duration already in (scaled) milliseconds.
import type { FaxgateConfig } from '../config/schema.js';
import { parseTimeOfDay, type TimeOfDay } from './time-of-day.js';

export type RetryClass = 'busy' | 'noAnswer' | 'protocol' | 'other';

export interface QueueSettings {
  maxDials: number;
  maxTries: number;
  killTimeMs: number;
  retryDelayMs: Record<RetryClass, number>;
  sameNumberDelayMs: number;
  reconcileIntervalMs: number;
  outcomeUnknown: 'hold' | 'resend';
  stationId: string;
  headLine: string;
  /** Parallel calls of one process; 0 = one per usable B channel. */
  concurrency: number;
  /** Jobs held ready for a channel beside the calls; undefined = as many as calls. */
  standbyJobs: number | undefined;
  /** How long a standby job waits for a channel before it goes back to the queue. */
  standbyWaitMs: number;
  receiveReserve: number;
  /** The sending window (`queue.timeOfDay`); undefined = Any. Wall-clock time, never scaled. */
  timeOfDay: TimeOfDay | undefined;
  /** IANA zone of the window, or 'local' (the process's zone, TZ). */
  timeZone: string;
}

function windowOf(text: string): TimeOfDay | undefined {
  const tod = parseTimeOfDay(text);
  return tod.windows.length > 0 ? tod : undefined;
}

/** `timeScale` shrinks every delay alike, so a test sees the configured ratios in milliseconds. */
export function queueSettings(config: FaxgateConfig): QueueSettings {
  const q = config.queue;
  const scaled = (seconds: number) => Math.max(1, Math.round(seconds * 1000 * q.timeScale));
  return {
    maxDials: q.maxDials,
    maxTries: q.maxTries,
    killTimeMs: scaled(q.killTimeMinutes * 60),
    retryDelayMs: {
      busy: scaled(q.retryDelaySeconds.busy),
      noAnswer: scaled(q.retryDelaySeconds.noAnswer),
      protocol: scaled(q.retryDelaySeconds.protocol),
      other: scaled(q.retryDelaySeconds.other),
    },
    sameNumberDelayMs: scaled(q.sameNumberDelaySeconds),
    // The reconciler repairs the queue: scaled too, but never busier than every 50 ms.
    reconcileIntervalMs: Math.max(50, scaled(q.reconcileIntervalSeconds)),
    outcomeUnknown: q.outcomeUnknown,
    stationId: q.stationId,
    headLine: q.headLine,
    concurrency: q.concurrency,
    standbyJobs: q.standbyJobs,
    standbyWaitMs: Math.round(q.standbyWaitSeconds * 1000),
    receiveReserve: q.receiveReserve,
    timeOfDay: windowOf(q.timeOfDay),
    timeZone: q.timeZone,
  };
}
