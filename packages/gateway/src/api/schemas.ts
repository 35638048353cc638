// The shared JSON schemas of the v1 API: they validate input, shape output (nothing leaves
// that is not listed here — no password hashes, no secret hashes) and make up the
// components of /openapi.json.
import { CAPABILITIES, FAX_STATES, MAILBOX_RIGHTS, ROLES } from '@faxgate/store';
import { errorSchema } from './errors.js';

const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

export const userSchema = {
  $id: 'User',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    displayName: { type: 'string' },
    disabled: { type: 'boolean' },
    roles: { type: 'array', items: { type: 'string', enum: [...ROLES] } },
    hasPassword: { type: 'boolean' },
    email: nullableString,
    mailOptIn: { type: 'boolean' },
    createdAt: time,
  },
} as const;

export const credentialSchema = {
  $id: 'Credential',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: ['session', 'token'] },
    userId: { type: 'integer' },
    name: { type: 'string' },
    createdAt: time,
    expiresAt: nullableTime,
    lastUsedAt: nullableTime,
    revokedAt: nullableTime,
  },
} as const;

export const mailboxSchema = {
  $id: 'Mailbox',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['incoming', 'outgoing'] },
    description: { type: 'string' },
    numbers: { type: 'array', items: { type: 'string' } },
    createdAt: time,
  },
} as const;

export const groupSchema = {
  $id: 'Group',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: 'string' },
    members: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const grantSchema = {
  $id: 'Grant',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    userName: nullableString,
    groupName: nullableString,
    mailboxId: { type: 'integer' },
    mailboxName: { type: 'string' },
    right: { type: 'string', enum: [...MAILBOX_RIGHTS] },
    createdAt: time,
  },
} as const;

export const faxSchema = {
  $id: 'Fax',
  type: 'object',
  description: 'Metadata of a fax; the pages are separate resources.',
  properties: {
    id: { type: 'integer' },
    direction: { type: 'string', enum: ['in', 'out'] },
    state: { type: 'string', enum: [...FAX_STATES] },
    mailboxId: nullableInt,
    ownerUserId: nullableInt,
    localNumber: nullableString,
    remoteNumber: nullableString,
    remoteStationId: nullableString,
    jobTag: nullableString,
    subject: nullableString,
    priority: { type: 'integer' },
    internal: { type: 'boolean' },
    pagesTotal: { type: 'integer' },
    pagesDone: { type: 'integer' },
    resolution: nullableInt,
    tries: { type: 'integer' },
    maxTries: nullableInt,
    dials: { type: 'integer' },
    maxDials: nullableInt,
    notBefore: nullableTime,
    killAt: nullableTime,
    startedAt: nullableTime,
    completedAt: nullableTime,
    line: nullableString,
    commid: nullableString,
    cause: nullableString,
    causeText: nullableString,
    damage: {
      type: 'object',
      description:
        'received faxes only, when pages came with bad rows (kept, repaired from the row above): how many pages and rows',
      properties: { pages: { type: 'integer' }, rows: { type: 'integer' } },
    },
    createdAt: time,
    updatedAt: time,
  },
} as const;

export const pageInfoSchema = {
  $id: 'PageInfo',
  type: 'object',
  properties: {
    pageNo: { type: 'integer' },
    width: nullableInt,
    height: nullableInt,
    yResolution: nullableInt,
    sha256: { type: 'string' },
  },
} as const;

export const capabilitySchema = { $id: 'Capability', type: 'string', enum: [...CAPABILITIES] } as const;

export const SHARED_SCHEMAS = [
  errorSchema,
  userSchema,
  credentialSchema,
  mailboxSchema,
  groupSchema,
  grantSchema,
  faxSchema,
  pageInfoSchema,
  capabilitySchema,
];

export const ref = (id: string) => ({ $ref: `${id}#` }) as const;
export const listOf = (id: string) => ({ type: 'array', items: ref(id) }) as const;

/** The error answers a route may give, for the spec. */
export function errors(...codes: number[]): Record<number, unknown> {
  return Object.fromEntries(codes.map((c) => [c, ref('Error')]));
}

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 9007199254740991 } },
} as const;

/** The `state` filter of fax lists: one state or several, comma-separated. */
export const stateFilter = {
  type: 'string',
  description: 'one state or several, comma-separated',
  pattern: '^[a-z]+(,[a-z]+)*$',
  maxLength: 200,
} as const;
