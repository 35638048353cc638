// One line for a reload's outcome (SIGHUP in the daemon's output, the CLI).
import type { ReloadResult } from './config-reload.js';

export function describeReload(r: ReloadResult): string {
  switch (r.outcome) {
    case 'applied':
      return `configuration reloaded: ${r.changes.join(', ')} (recorded as version ${r.version})`;
    case 'unchanged':
      return 'configuration unchanged';
    case 'invalid':
      return `configuration not reloaded, running configuration kept: ${r.message}`;
    case 'restart-required':
      return `nothing applied: these keys need a restart: ${r.restartKeys.join(', ')}`;
  }
}
