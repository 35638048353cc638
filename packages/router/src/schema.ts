// The routing configuration as written in YAML (structure only). Composable into the gateway's
// own zod schema; `validateRouterConfig` gives the same errors standalone.
import { z } from 'zod';
import { RouterConfigError } from './errors.js';
import { NUMBER_KINDS } from './plan.js';

const got = (input: unknown) => (input === undefined ? 'nothing' : JSON.stringify(input));

const digits = (what: string, min: number, max: number) =>
  z
    .string({ error: (iss) => `expected ${what} (digits), got ${got(iss.input)}` })
    .regex(new RegExp(`^[0-9]{${min},${max}}$`), `expected ${what}: ${min}..${max} digits`);

const digitList = (what: string) =>
  z
    .array(digits(what, 1, 15), { error: (iss) => `expected a list of ${what}s, got ${got(iss.input)}` })
    .max(1000);

/** An E.164 prefix: '+' and 1..15 digits. */
const e164Prefix = z
  .string({ error: (iss) => `expected an E.164 prefix like "+49900", got ${got(iss.input)}` })
  .regex(/^\+[1-9][0-9]{0,14}$/, 'expected an E.164 prefix: + and up to 15 digits, not starting with 0');

const prefixList = z
  .array(e164Prefix, { error: (iss) => `expected a list of E.164 prefixes, got ${got(iss.input)}` })
  .max(10_000);

const kind = z.enum(NUMBER_KINDS, {
  error: (iss) => `expected one of ${NUMBER_KINDS.join(', ')}, got ${got(iss.input)}`,
});
const kindList = z.array(kind, { error: (iss) => `expected a list of number kinds, got ${got(iss.input)}` });

const regexSource = z
  .string({ error: (iss) => `expected a regular expression, got ${got(iss.input)}` })
  .min(1, 'expected a regular expression, got ""')
  .max(200, 'expected a regular expression of at most 200 characters');

/** '+49301234567', '030 1234567', '+49301234500-+49301234599', { from, to }, { regex }, { absent: true }. */
const numberMatch = z.union(
  [
    z.string().min(1).max(80),
    z.strictObject({ from: z.string().min(1).max(64), to: z.string().min(1).max(64) }),
    z.strictObject({ regex: regexSource }),
    z.strictObject({ absent: z.literal(true) }),
  ],
  {
    error: () => 'expected a number, a range "FROM-TO" / { from, to }, { regex }, or { absent: true }',
  },
);

const mailboxName = z
  .string({ error: (iss) => `expected a mailbox name, got ${got(iss.input)}` })
  .min(1, 'expected a mailbox name, got ""');

const rule = z
  .strictObject({
    name: z
      .string({ error: (iss) => `expected a rule name, got ${got(iss.input)}` })
      .min(1)
      .max(100)
      .optional(),
    called: numberMatch.optional(),
    caller: numberMatch.optional(),
    tsi: regexSource.optional(),
    mailbox: mailboxName.optional(),
    reject: z
      .string({ error: (iss) => `expected the reason for rejecting, got ${got(iss.input)}` })
      .min(1)
      .max(200)
      .optional(),
  })
  .refine((r) => (r.mailbox === undefined) !== (r.reject === undefined), {
    message: 'expected exactly one of mailbox or reject',
  });

const section = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).prefault({} as never);

export const routerConfigSchema = z.strictObject({
  numbering: z.strictObject({
    countryCode: digits('a country code', 1, 3).refine(
      (s) => !s.startsWith('0'),
      'a country code never starts with 0',
    ),
    areaCode: digits('an area code without national prefix', 1, 6).optional(),
    internationalPrefix: digits('an international prefix', 1, 4).default('00'),
    nationalPrefix: z.union([z.literal(''), digits('a national prefix', 1, 2)]).default('0'),
    outsideLinePrefix: digits('an outside-line prefix', 1, 4).optional(),
    inputHasOutsideLinePrefix: z.boolean({ error: () => 'expected true or false' }).default(false),
    localNumberLength: z
      .int({ error: () => 'expected an integer 2..12' })
      .min(2)
      .max(12)
      .optional(),
    dialLocal: z.boolean({ error: () => 'expected true or false' }).default(false),
    dialInternational: z.boolean({ error: () => 'expected true or false' }).default(false),
    emergencyNumbers: digitList('emergency number').optional(),
    emergencyPrefixes: digitList('emergency prefix').optional(),
    emergencyAfterAreaCode: digitList('emergency number').optional(),
    premiumPrefixes: digitList('premium prefix').optional(),
    servicePrefixes: digitList('service prefix').optional(),
    shortCodePrefixes: digitList('short-code prefix').optional(),
  }),
  destinations: section({
    deny: prefixList.default([]),
    allow: prefixList.default([]),
    allowOnly: z.boolean({ error: () => 'expected true or false' }).default(false),
    blockKinds: kindList.default(['premium', 'international']),
    groups: z
      .record(
        z.string().min(1),
        z.strictObject({ allow: prefixList.default([]), allowKinds: kindList.default([]) }),
        { error: (iss) => `expected a mapping of group names, got ${got(iss.input)}` },
      )
      .default({}),
  }),
  inbound: section({
    called: z
      .discriminatedUnion(
        'mode',
        [
          z.strictObject({ mode: z.literal('msn') }),
          z.strictObject({
            mode: z.literal('ddi'),
            base: z
              .string({ error: (iss) => `expected the DDI base number in E.164, got ${got(iss.input)}` })
              .regex(/^\+[1-9][0-9]{1,13}$/, 'expected the DDI base number in E.164 (+ and digits)'),
            length: z
              .int({ error: () => 'expected the DDI length, an integer 1..8' })
              .min(1)
              .max(8),
          }),
        ],
        { error: () => 'expected { mode: msn } or { mode: ddi, base, length }' },
      )
      .default({ mode: 'msn' }),
    /** Our own numbers besides the mailboxes' (MSNs, DDI blocks): never dialled, delivered internally. */
    ownNumbers: z.array(numberMatch).max(1000).default([]),
    /** The fax post office inbox: where every call no rule matches goes. */
    default: mailboxName.optional(),
    rules: z.array(rule).max(10_000).default([]),
  }),
});

export type RouterConfig = z.output<typeof routerConfigSchema>;
export type RouterConfigInput = z.input<typeof routerConfigSchema>;

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((k) => `${at ? `${at}.` : ''}${k}: unknown key`);
  if (issue.code === 'invalid_type' && issue.expected === 'object') {
    return [`${at || '(top level)'}: expected a mapping of keys, got ${got(issue.input)}`];
  }
  return [`${at || '(top level)'}: ${issue.message}`];
}

/** Checks the structure of a routing configuration; throws RouterConfigError naming every bad key. */
export function validateRouterConfig(raw: unknown): RouterConfig {
  const r = routerConfigSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!r.success) throw new RouterConfigError(r.error.issues.flatMap(describeIssue));
  return r.data;
}
