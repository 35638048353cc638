// Typed errors of the store. Every service validates before it writes, so an error means
// nothing was changed (callers that combine several calls use one transaction).
import type { FaxState } from './model.js';

export type StoreErrorCode = 'NOT_FOUND' | 'INVALID_INPUT' | 'CONFLICT' | 'FORBIDDEN';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A named user, group, mailbox, fax, page or configuration version does not exist. */
export class NotFoundError extends StoreError {
  /** What kind of thing was looked for: 'user', 'group', 'mailbox', 'fax', … */
  readonly entity: string;
  readonly ref: string;
  constructor(entity: string, ref: string | number, detail?: string) {
    super('NOT_FOUND', detail ?? `${entity} ${JSON.stringify(String(ref))} does not exist`);
    this.entity = entity;
    this.ref = String(ref);
  }
}

/** The input is malformed or not allowed (unknown right or role, right on the wrong mailbox kind, …). */
export class InvalidInputError extends StoreError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/** The input clashes with what exists (name taken, number already routed to another mailbox, …). */
export class ConflictError extends StoreError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** The actor lacks the right or capability (see `can`). */
export class ForbiddenError extends StoreError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** The fax is not in a state the change allows (compare-and-set lost); code CONFLICT. */
export class StateConflictError extends ConflictError {
  constructor(
    readonly faxId: number,
    readonly expected: readonly FaxState[],
    readonly actual: FaxState,
  ) {
    super(`fax ${faxId} is ${actual}, expected ${expected.join(' or ')}`);
  }
}

/** The administrative connection is not allowed to do this (exit 2: give a superuser URL). */
export class SetupPrivilegeError extends InvalidInputError {}
