// Which configuration keys a running gateway takes over on `faxgate config reload` / SIGHUP,
// and which need a restart. A reload that changes any restart key applies nothing (never
// half a configuration) and names the keys.

/** Key paths (or their prefixes, ending in '.') applied live. */
export const LIVE_KEYS: readonly string[] = [
  'routing.inbound.', // rules and default: the router is rebuilt
  'routing.destinations.', // destination policy (the API routes each submission with it)
  'lockdown.callerBlocklist',
  'lockdown.tsiBlocklist',
  'lockdown.unknownNumber',
  'cover.', // read per submission
  // The sending window and retry rules: read by the worker at each job (the pipeline's
  // settings object is changed in place); maxDials/maxTries/killTime apply to new faxes.
  'queue.timeOfDay',
  'queue.timeZone',
  'queue.retryDelaySeconds.',
  'queue.sameNumberDelaySeconds',
  'queue.maxDials',
  'queue.maxTries',
  'queue.killTimeMinutes',
  'queue.headLine',
  // Read by the retention job at each run (retention.intervalMinutes: at the next start).
  'retention.outgoingDays',
  'retention.incomingDays',
  'retention.sendLogDays',
  'retention.maxFaxesPerRun',
  'retention.mailboxes',
  'archive.',
];

export function isLiveKey(path: string): boolean {
  return LIVE_KEYS.some((k) =>
    k.endsWith('.') ? path.startsWith(k) : path === k || path.startsWith(`${k}.`),
  );
}

/** The changed key paths that need a restart. */
export function restartKeys(paths: readonly string[]): string[] {
  return paths.filter((p) => !isLiveKey(p));
}
