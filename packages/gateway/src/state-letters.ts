// HylaFAX's job state letters (faxstat `%a`), shown by `faxgate status` and GET /api/v1/queue.
import type { FaxState } from '@faxgate/store';

/** Our extra states map to the nearest HylaFAX one. */
const STATE_LETTERS: Partial<Record<FaxState, string>> = {
  suspended: 'T',
  pending: 'P',
  sleeping: 'S',
  blocked: 'B',
  waiting: 'W',
  running: 'R',
  done: 'D',
  failed: 'F',
  // refused by policy before a dial: a failed job to an operator
  rejected: 'F',
};

export function stateLetter(state: FaxState): string {
  return STATE_LETTERS[state] ?? '?';
}
