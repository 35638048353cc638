// Takes the live keys (live-keys.ts) of a reloaded configuration into the running one, in
// place: the API and the pipeline hold the same configuration object and read these keys per
// request, so they see the new values at once. Nothing else changes.
import type { FaxgateConfig } from '../config/schema.js';

export function applyLiveKeys(running: FaxgateConfig, next: FaxgateConfig): void {
  running.routing.inbound = next.routing.inbound;
  running.routing.destinations = next.routing.destinations;
  running.lockdown.callerBlocklist = next.lockdown.callerBlocklist;
  running.lockdown.tsiBlocklist = next.lockdown.tsiBlocklist;
  running.lockdown.unknownNumber = next.lockdown.unknownNumber;
  running.cover = next.cover;
  running.retention = next.retention;
}
