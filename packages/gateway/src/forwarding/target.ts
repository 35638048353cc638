// Where a received fax is forwarded to: the request's `to` object, checked once here so the
// API, the CLI (through the API) and the console all mean the same thing by it.
import { InvalidInputError } from '@faxgate/store';

export type ForwardTarget = { mailbox: string } | { user: string } | { email: string } | { number: string };
export type ForwardTargetKind = 'mailbox' | 'user' | 'email' | 'number';

export const TARGET_KINDS: readonly ForwardTargetKind[] = ['mailbox', 'user', 'email', 'number'];

/** The longest note a forward carries (audit details, the e-mail text, the copy's metadata). */
export const MAX_NOTE = 1000;

export function kindOf(to: ForwardTarget): ForwardTargetKind {
  return Object.keys(to)[0] as ForwardTargetKind;
}

export function targetValue(to: ForwardTarget): string {
  return Object.values(to)[0] as string;
}

/** How the audit trail and the fax's metadata name a target: `mailbox:sales-in`, `email:a@b.org`. */
export function describeTarget(to: ForwardTarget): string {
  return `${kindOf(to)}:${targetValue(to)}`;
}

/**
 * Checks a target as it came in (exactly one known key with a non-empty text value). An
 * address is checked by the mail outbox's own rule when it is queued (to-email.ts).
 */
export function checkTarget(to: unknown): ForwardTarget {
  if (typeof to !== 'object' || to === null || Array.isArray(to))
    throw new InvalidInputError('to: expected one of { mailbox }, { user }, { email }, { number }');
  const keys = Object.keys(to);
  if (keys.length !== 1 || !TARGET_KINDS.includes(keys[0] as ForwardTargetKind))
    throw new InvalidInputError('to: give exactly one of mailbox, user, email, number');
  const kind = keys[0] as ForwardTargetKind;
  const value = (to as Record<string, unknown>)[kind];
  if (typeof value !== 'string' || value.trim() === '' || value.length > 254)
    throw new InvalidInputError(`to.${kind}: expected a text of 1..254 characters`);
  if (/[\x00-\x1f\x7f]/.test(value))
    throw new InvalidInputError(`to.${kind}: control characters are not allowed`);
  return { [kind]: value.trim() } as ForwardTarget;
}

export function checkNote(note: unknown): string | undefined {
  if (note === undefined || note === null) return undefined;
  if (typeof note !== 'string') throw new InvalidInputError('note: expected text');
  if (note.length > MAX_NOTE) throw new InvalidInputError(`note: at most ${MAX_NOTE} characters`);
  // Newlines and tabs are fine in a note; other control characters are not.
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(note))
    throw new InvalidInputError('note: control characters are not allowed');
  return note.trim() === '' ? undefined : note;
}
