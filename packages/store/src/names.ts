// Text that names or tags something (users, groups, mailboxes, tokens, job tags) carries no
// control characters, and no stored text at all carries a NUL (PostgreSQL text cannot, and
// a driver error would surface as a 500). One check, one clear InvalidInputError, for every
// service that stores or looks up such text.
import { InvalidInputError } from './errors.js';

/** C0 controls (incl. NUL, TAB, CR, LF), DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function describe(ch: string): string {
  return `U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Throws when `value` holds a control character; returns it unchanged otherwise. */
export function checkNoControl(what: string, value: string): string {
  const m = CONTROL.exec(value);
  if (m) throw new InvalidInputError(`${what} must not contain control characters (found ${describe(m[0])})`);
  return value;
}

/** Throws when `value` holds a NUL byte (free text: line breaks are fine). */
export function checkNoNul(what: string, value: string): string {
  if (value.includes('\u0000')) throw new InvalidInputError(`${what} must not contain a NUL character`);
  return value;
}

/** A label (job tag, token name): no control characters, at most `max` characters. */
export function checkLabel(what: string, value: string, max: number): string {
  if (value.length > max) throw new InvalidInputError(`${what} must be at most ${max} characters`);
  return checkNoControl(what, value);
}

/** A numeric id as a bigint column holds it and JavaScript counts it exactly: 1 … 2^53-1. */
export function checkId(what: string, id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new InvalidInputError(`${what} id ${id} is invalid (1 … 2^53-1)`);
  return id;
}
