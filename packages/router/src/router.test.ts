import type { Mailbox } from '@faxgate/store';
import { describe, expect, it } from 'vitest';
import { NumberError, RouterConfigError } from './errors.js';
import { type IncomingCall, networkNumberToE164, numberPrefixToE164 } from './inbound.js';
import { createRouter, type MailboxInput } from './router.js';

const mailboxes: MailboxInput[] = [
  { id: 1, name: 'postoffice', kind: 'incoming', numbers: ['+49301234500'] },
  { id: 2, name: 'sales', kind: 'incoming', numbers: ['030 1234510', '1234511'] },
  { id: 3, name: 'legal', kind: 'incoming', numbers: [] },
  { id: 4, name: 'quarantine', kind: 'incoming' },
  { id: 5, name: 'sales-out', kind: 'outgoing', numbers: ['+49301234510'] },
];

const numbering = { countryCode: '49', areaCode: '30', outsideLinePrefix: '0' };

const config = {
  numbering,
  destinations: {
    deny: ['+49301234599'],
    groups: { export: { allowKinds: ['international'] } },
  },
  inbound: {
    ownNumbers: ['+49301234500-+49301234599', '+49301111111'],
    default: 'postoffice',
    rules: [
      { name: 'spam', caller: { regex: '^\\+49900' }, reject: 'premium-rate senders are blocked' },
      { name: 'bad-tsi', tsi: '^JUNK', reject: 'blocked TSI' },
      { name: 'court', called: '+49301234520', caller: '+49 89 5555-0', mailbox: 'legal' },
      { name: 'legal-block', called: { from: '+49301234530', to: '+49301234539' }, mailbox: 'legal' },
      { name: 'legal-tsi', tsi: 'LAWYERS', mailbox: 'legal' },
      { called: '030 1234540 - 030 1234549', mailbox: 'quarantine' },
      { called: '+49301234510', mailbox: 'sales' },
    ],
  },
};

const router = createRouter(config, mailboxes);

describe('routeIncoming (MSN)', () => {
  it.each([
    // call, action, mailbox or reason, rule
    [{ called: '1234510' }, 'sales', 'rule 7'],
    [{ called: '301234510', calledType: 'national' }, 'sales', 'rule 7'],
    [{ called: '49301234510', calledType: 'international' }, 'sales', 'rule 7'],
    [{ called: '1234510', calledType: 'subscriber' }, 'sales', 'rule 7'],
    [{ called: '1234520', caller: '0895555-0' }, 'legal', 'court'],
    [{ called: '1234520', caller: '498955550', callerType: 'international' }, 'legal', 'court'],
    [{ called: '1234520', caller: '0891111111' }, 'postoffice', 'default'],
    [{ called: '1234520' }, 'postoffice', 'default'],
    [{ called: '1234530' }, 'legal', 'legal-block'],
    [{ called: '1234539' }, 'legal', 'legal-block'],
    [{ called: '1234540' }, 'quarantine', 'rule 6'],
    [{ called: '1234529' }, 'postoffice', 'default'],
    // no rule: the incoming mailbox that owns the called number, before the default
    [{ called: '1234511' }, 'sales', 'mailbox-number'],
    [{ called: '301234511', calledType: 'national' }, 'sales', 'mailbox-number'],
    [{ called: '1234500' }, 'postoffice', 'mailbox-number'],
    [{ called: '12345300' }, 'postoffice', 'default'],
    [{ called: '1234577', tsi: '  LAWYERS & CO ' }, 'legal', 'legal-tsi'],
    [{}, 'postoffice', 'default'],
    [{ called: 'garbage' }, 'postoffice', 'default'],
    [
      { called: '1'.repeat(10_000), caller: 'x'.repeat(10_000), tsi: 'y'.repeat(10_000) },
      'postoffice',
      'default',
    ],
  ] as const)('%j → %s (%s)', (call, mailbox, rule) => {
    expect(router.routeIncoming(call)).toMatchObject({ action: 'deliver', mailbox: { name: mailbox }, rule });
  });

  it.each<[IncomingCall, string, string, object]>([
    [
      { called: '1234510', caller: '09001234567' },
      'spam',
      'premium-rate senders are blocked',
      { caller: '+499001234567' },
    ],
    [{ called: '1234510', tsi: 'JUNK FAX' }, 'bad-tsi', 'blocked TSI', {}],
  ])('%j is rejected by %s (M 4.37)', (call, rule, reason, numbers) => {
    expect(router.routeIncoming(call)).toEqual({
      action: 'reject',
      rule,
      reason,
      called: '+49301234510',
      ...numbers,
    });
  });

  it('can reject anonymous callers (CLIR) with { absent: true }', () => {
    const r = createRouter(
      {
        numbering,
        inbound: {
          default: 'postoffice',
          rules: [{ name: 'anonymous', caller: { absent: true }, reject: 'caller number suppressed' }],
        },
      },
      mailboxes,
    );
    expect(r.routeIncoming({ called: '1234510' })).toMatchObject({ action: 'reject', rule: 'anonymous' });
    expect(r.routeIncoming({ called: '1234510', caller: '' })).toMatchObject({ action: 'reject' });
    expect(r.routeIncoming({ called: '1234510', caller: '0891234567' })).toMatchObject({
      action: 'deliver',
      mailbox: { name: 'sales' },
      rule: 'mailbox-number',
    });
  });

  it('reports the numbers it understood', () => {
    expect(router.routeIncoming({ called: '1234510', caller: '0891234567' })).toMatchObject({
      called: '+49301234510',
      caller: '+49891234567',
    });
  });

  it('first match wins: an earlier rule shadows a later one', () => {
    const r = createRouter(
      {
        numbering,
        inbound: {
          default: 'postoffice',
          rules: [
            { name: 'first', called: '+49301234510', mailbox: 'legal' },
            { name: 'second', called: '+49301234510', mailbox: 'sales' },
          ],
        },
      },
      mailboxes,
    );
    expect(r.routeIncoming({ called: '1234510' })).toMatchObject({
      mailbox: { name: 'legal' },
      rule: 'first',
    });
  });
});

describe('routeIncoming (DDI, capi4hylafax DDIOffset/DDILength)', () => {
  const ddi = createRouter(
    {
      numbering,
      inbound: {
        called: { mode: 'ddi', base: '+4930123450', length: 2 },
        default: 'postoffice',
        rules: [
          { called: '+493012345010', mailbox: 'sales' },
          { called: '+4930123450 20 - +4930123450 29', mailbox: 'legal' },
        ],
      },
    },
    mailboxes,
  );
  it.each([
    ['10', 'sales', '+493012345010'],
    ['4510', 'sales', '+493012345010'],
    ['301234510', 'sales', '+493012345010'],
    ['25', 'legal', '+493012345025'],
    ['99', 'postoffice', '+493012345099'],
  ])('called %s → %s via %s', (called, mailbox, e164) => {
    expect(ddi.routeIncoming({ called })).toMatchObject({ mailbox: { name: mailbox }, called: e164 });
  });

  it('sends a call with too few digits (global call) to the default', () => {
    expect(ddi.routeIncoming({ called: '1' })).toEqual({
      action: 'deliver',
      mailbox: mailboxes[0],
      rule: 'default',
    });
  });

  it('treats the whole DDI block as our own numbers', () => {
    expect(ddi.findInternal('+493012345010')?.name).toBe('sales');
    expect(ddi.findInternal('+493012345077')?.name).toBe('postoffice');
    expect(ddi.findInternal('+49301234600')).toBeUndefined();
  });
});

describe('internal short-circuit (M 5.73)', () => {
  it.each([
    ['030 1234510', 'sales'],
    ['+49 30 1234511', 'sales'],
    ['1234500', 'postoffice'],
    ['+49301234535', 'legal'],
    ['+49301234577', 'postoffice'],
    ['030 1111111', 'postoffice'],
  ])('%s is delivered to %s', (number, mailbox) => {
    expect(router.findInternal(number)?.name).toBe(mailbox);
  });

  it('does not claim numbers that are not ours', () => {
    expect(router.findInternal('030 1234600')).toBeUndefined();
    expect(router.findInternal('+33123456789')).toBeUndefined();
  });

  it('ignores outgoing mailboxes', () => {
    const r = createRouter({ numbering, inbound: { default: 'postoffice' } }, [mailboxes[0], mailboxes[4]]);
    expect(r.findInternal('+49301234510')).toBeUndefined();
  });

  it('decideOutgoing: internal before policy — even a denied own number is delivered, never dialled', () => {
    expect(router.decideOutgoing('030 1234599')).toMatchObject({
      action: 'internal',
      mailbox: { name: 'postoffice' },
      number: { e164: '+49301234599' },
    });
    expect(router.decideOutgoing('030 1234510')).toMatchObject({
      action: 'internal',
      mailbox: { name: 'sales' },
      rule: 'mailbox-number',
    });
  });
});

describe('decideOutgoing', () => {
  it.each([
    ['089 1234567', [], 'dial', 'default', '00891234567'],
    ['+44 20 7946 0000', [], 'refuse', 'block:international', '000442079460000'],
    ['+44 20 7946 0000', ['export'], 'dial', 'group:export:kind:international', '000442079460000'],
    ['0900 1234567', [], 'refuse', 'block:premium', '009001234567'],
    ['112', ['export'], 'refuse', 'emergency', '0112'],
  ] as const)('%s groups=%j → %s (%s), dial string %s', (input, groups, action, rule, dialString) => {
    expect(router.decideOutgoing(input, { groups })).toMatchObject({ action, rule, number: { dialString } });
  });

  it('throws a NumberError for what is not a number', () => {
    expect(() => router.decideOutgoing('call me')).toThrow(NumberError);
    expect(() => router.checkDestination('0049')).toThrow(NumberError);
  });

  it('checkDestination normalises first', () => {
    expect(router.checkDestination('0900 1234567')).toMatchObject({ allowed: false, rule: 'block:premium' });
    expect(router.checkDestination('+49 89 1234567')).toEqual({ allowed: true, rule: 'default' });
  });
});

describe('configuration validation names the key', () => {
  const problems = (cfg: unknown, boxes: MailboxInput[] = mailboxes): string[] => {
    try {
      createRouter(cfg, boxes);
    } catch (e) {
      if (e instanceof RouterConfigError) return e.problems;
      throw e;
    }
    throw new Error('expected a RouterConfigError');
  };
  const base = { numbering, inbound: { default: 'postoffice' } };

  it.each<[string, unknown, string[]]>([
    [
      'missing numbering',
      { inbound: { default: 'postoffice' } },
      ['numbering: expected a mapping of keys, got nothing'],
    ],
    [
      'bad country code',
      { ...base, numbering: { countryCode: '049' } },
      ['numbering.countryCode: a country code never starts with 0'],
    ],
    [
      'letters in area code',
      { ...base, numbering: { countryCode: '49', areaCode: 'thirty' } },
      ['numbering.areaCode: expected an area code without national prefix: 1..6 digits'],
    ],
    ['unknown key', { ...base, numbring: {} }, ['numbring: unknown key']],
    [
      'deny entry not E.164',
      { ...base, destinations: { deny: ['0900'] } },
      ['destinations.deny.0: expected an E.164 prefix: + and up to 15 digits, not starting with 0'],
    ],
    [
      'unknown kind',
      { ...base, destinations: { blockKinds: ['expensive'] } },
      [
        'destinations.blockKinds.0: expected one of local, national, international, emergency, premium, service, got "expensive"',
      ],
    ],
    [
      'emergency allowed for a group',
      { ...base, destinations: { groups: { g: { allowKinds: ['emergency'] } } } },
      ['destinations.groups.g.allowKinds: emergency numbers can never be allowed'],
    ],
    [
      'allow-only with nothing allowed',
      { ...base, destinations: { allowOnly: true } },
      ['destinations.allowOnly: true with an empty allow list would refuse every number'],
    ],
    [
      'no default',
      { numbering },
      ['inbound.default: expected the fax post office mailbox, where unmatched faxes go'],
    ],
    [
      'unknown default',
      { numbering, inbound: { default: 'nobody' } },
      ['inbound.default: no mailbox named "nobody"'],
    ],
    [
      'outgoing default',
      { numbering, inbound: { default: 'sales-out' } },
      ['inbound.default: mailbox "sales-out" is an outgoing mailbox'],
    ],
    [
      'rule with mailbox and reject',
      { ...base, inbound: { default: 'postoffice', rules: [{ mailbox: 'sales', reject: 'x' }] } },
      ['inbound.rules.0: expected exactly one of mailbox or reject'],
    ],
    [
      'rule with bad regex and unknown mailbox',
      { ...base, inbound: { default: 'postoffice', rules: [{ tsi: '(', mailbox: 'nobody' }] } },
      [
        'inbound.rules.0.tsi: invalid regular expression: Invalid regular expression: /(/: Unterminated group',
        'inbound.rules.0.mailbox: no mailbox named "nobody"',
      ],
    ],
    [
      'rule with a bad number',
      { ...base, inbound: { default: 'postoffice', rules: [{ called: '030-CALL', mailbox: 'sales' }] } },
      ['inbound.rules.0.called: number "030-CALL": letters are not allowed (found "C")'],
    ],
    [
      'reversed range',
      {
        ...base,
        inbound: { default: 'postoffice', ownNumbers: [{ from: '+49301234599', to: '+49301234500' }] },
      },
      ['inbound.ownNumbers.0: range starts after it ends (+49301234599 > +49301234500)'],
    ],
    [
      'range of unequal lengths',
      { ...base, inbound: { default: 'postoffice', ownNumbers: ['+49301234500-+493012345999'] } },
      ['inbound.ownNumbers.0: range ends +49301234500 and +493012345999 differ in length'],
    ],
    [
      'DDI without length',
      { ...base, inbound: { default: 'postoffice', called: { mode: 'ddi', base: '+4930123450' } } },
      ['inbound.called.length: expected the DDI length, an integer 1..8'],
    ],
  ])('%s', (_name, cfg, expected) => {
    expect(problems(cfg)).toEqual(expected);
  });

  it('reports a number two mailboxes share, and a mailbox number it cannot read', () => {
    expect(
      problems(base, [
        { id: 1, name: 'postoffice', numbers: ['+49301234500'] },
        { id: 2, name: 'other', numbers: ['030 1234500', 'fax'] },
      ]),
    ).toEqual([
      'mailboxes.other.numbers.0: +49301234500 also belongs to mailbox postoffice',
      'mailboxes.other.numbers.1: number "fax": letters are not allowed (found "f")',
    ]);
  });

  it('the error message lists every problem', () => {
    expect(() => createRouter({ numbering: { countryCode: 'x' }, extra: 1 }, mailboxes)).toThrow(
      /routing configuration: 2 problems\n {2}numbering.countryCode: .*\n {2}extra: unknown key/,
    );
  });
});

describe('store mailboxes', () => {
  it('takes the store Mailbox as it is and returns it unchanged', () => {
    const fromStore: Mailbox[] = [
      {
        id: 7,
        name: 'po',
        kind: 'incoming',
        description: '',
        numbers: ['+49301234500'],
        createdAt: new Date(0),
      },
      {
        id: 8,
        name: 'out',
        kind: 'outgoing',
        description: '',
        numbers: ['+49301234501'],
        createdAt: new Date(0),
      },
    ];
    const r = createRouter({ numbering, inbound: { default: 'po' } }, fromStore);
    const d = r.decideOutgoing('030 1234500');
    expect(d.action === 'internal' && d.mailbox).toBe(fromStore[0]);
    expect(r.decideOutgoing('030 1234501').action).toBe('dial');
  });
});

describe('caller numbers as the network presents them (blocklists, caller rules)', () => {
  const plan = router.plan;
  it.each([
    ['891111111', 'national', '+49891111111'],
    ['0891111111', 'national', '+49891111111'], // written out although typed national (PBXs do)
    ['49891111111', 'international', '+49891111111'],
    ['0049891111111', 'international', '+49891111111'],
    ['+49891111111', 'national', '+49891111111'],
    ['0891111111', 'unknown', '+49891111111'],
    ['0891111111', undefined, '+49891111111'],
    ['1111111', 'subscriber', '+49301111111'],
    ['', 'national', undefined],
  ] as const)('%s (%s) → %s', (digits, type, e164) => {
    expect(networkNumberToE164(digits, type, plan)).toBe(e164);
  });

  it.each([
    ['+49891111111', '+49891111111'],
    ['0891111111', '+49891111111'],
    ['0049 89 1111111', '+49891111111'],
    ['0900', '+49900'],
    ['+49900', '+49900'],
    ['1234', '+49301234'],
    ['12a', undefined],
    ['', undefined],
  ])('prefix %s → %s', (text, e164) => {
    expect(numberPrefixToE164(text, plan)).toBe(e164);
  });

  it('a local prefix needs an area code', () => {
    const noArea = createRouter({ numbering: { countryCode: '49' }, inbound: { default: 'postoffice' } }, [
      mailboxes[0],
    ]);
    expect(numberPrefixToE164('1234', noArea.plan)).toBeUndefined();
    expect(numberPrefixToE164('0891', noArea.plan)).toBe('+49891');
  });
});
