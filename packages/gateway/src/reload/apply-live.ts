// Takes the live keys (live-keys.ts) of a reloaded configuration into the running one, in
// place: the API and the pipeline hold the same configuration object and read these keys per
// request, so they see the new values at once. Nothing else changes.
import type { FaxgateConfig } from '../config/schema.js';
import { type QueueSettings, queueSettings } from '../pipeline/settings.js';

export function applyLiveKeys(running: FaxgateConfig, next: FaxgateConfig): void {
  running.routing.inbound = next.routing.inbound;
  running.routing.destinations = next.routing.destinations;
  running.lockdown.callerBlocklist = next.lockdown.callerBlocklist;
  running.lockdown.tsiBlocklist = next.lockdown.tsiBlocklist;
  running.lockdown.unknownNumber = next.lockdown.unknownNumber;
  running.cover = next.cover;
  running.retention = next.retention;
  running.archive = next.archive;
  const q = running.queue;
  const n = next.queue;
  q.timeOfDay = n.timeOfDay;
  q.timeZone = n.timeZone;
  q.retryDelaySeconds = n.retryDelaySeconds;
  q.sameNumberDelaySeconds = n.sameNumberDelaySeconds;
  q.maxDials = n.maxDials;
  q.maxTries = n.maxTries;
  q.killTimeMinutes = n.killTimeMinutes;
  q.headLine = n.headLine;
}

/** The live queue keys into the settings the worker, the API and the reconciler read. */
export function applyLiveQueueSettings(settings: QueueSettings, next: FaxgateConfig): void {
  const n = queueSettings(next);
  settings.timeOfDay = n.timeOfDay;
  settings.timeZone = n.timeZone;
  settings.retryDelayMs = n.retryDelayMs;
  settings.sameNumberDelayMs = n.sameNumberDelayMs;
  settings.maxDials = n.maxDials;
  settings.maxTries = n.maxTries;
  settings.killTimeMs = n.killTimeMs;
  settings.headLine = n.headLine;
}
