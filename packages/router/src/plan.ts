// The numbering plan: how people write numbers where the gateway stands, and how its line dials them.

/** What a destination is, for policy: emergency and premium are decided before any dialling. */
export const NUMBER_KINDS = [
  'local',
  'national',
  'international',
  'emergency',
  'premium',
  'service',
] as const;
export type NumberKind = (typeof NUMBER_KINDS)[number];

export interface NumberingPlan {
  /** Our country code without '+', e.g. '49'. */
  countryCode: string;
  /** Our area code without the national prefix, e.g. '30' (Berlin); needed to accept local numbers. */
  areaCode?: string;
  /** Dialled before a country code, e.g. '00' (Germany), '011' (NANP). */
  internationalPrefix: string;
  /** Dialled before an area code, e.g. '0'; '' where there is none. */
  nationalPrefix: string;
  /** Dialled first to reach the public network from a PBX (capi4hylafax `NumberPrefix`), e.g. '0'. */
  outsideLinePrefix?: string;
  /**
   * Users type the outside-line prefix too, as on a PBX handset ('0 030 1234567'): it is then
   * required on every number not written with '+', and stripped. Default false: numbers are
   * written as from a public line and the gateway adds the prefix itself when dialling.
   */
  inputHasOutsideLinePrefix: boolean;
  /** Longest local subscriber number (without area code); longer ones are refused as typos. */
  localNumberLength?: number;
  /** Dial numbers in our own area without the area code (some PBXs need it). */
  dialLocal: boolean;
  /** Dial home-country numbers in international form too (capi4hylafax `NumberPlusReplacer` style). */
  dialInternational: boolean;
  /** National numbers (without prefixes) that reach emergency services, e.g. '110', '112', '19222'. */
  emergencyNumbers: string[];
  /** National number prefixes of emergency or social-value numbers, e.g. '116' (116xxx, EU harmonised). */
  emergencyPrefixes: string[];
  /**
   * Emergency numbers that also reach emergency services behind any area code (Germany: 19222,
   * the rescue service, '089 19222'). Recognised as a 2–5 digit area code followed by exactly
   * the number. (Any emergency number behind our own `areaCode` is recognised anyway.)
   */
  emergencyAfterAreaCode: string[];
  /** National-number prefixes of premium-rate services, e.g. '900' (0900), '118' (118xx directory). */
  premiumPrefixes: string[];
  /** National-number prefixes of service numbers (shared cost, freephone, personal, mass calling). */
  servicePrefixes: string[];
  /** Numbers written without prefix that start with these are national short codes, not local numbers. */
  shortCodePrefixes: string[];
}

/**
 * Emergency short codes of many countries (112 EU/GSM, 911 NANP, 999 UK, 000 AU, 110/119 JP/DE,
 * 15/17/18 FR, 100–103 IN, …): refused when dialled as they are or behind a country code.
 * No real fax number is that short, so refusing them costs nothing.
 */
export const UNIVERSAL_EMERGENCY_NUMBERS: readonly string[] = [
  '000',
  '08',
  '100',
  '101',
  '102',
  '103',
  '108',
  '110',
  '111',
  '112',
  '117',
  '118',
  '119',
  '122',
  '123',
  '15',
  '17',
  '18',
  '190',
  '191',
  '193',
  '197',
  '199',
  '911',
  '995',
  '997',
  '998',
  '999',
];

type CountryDefaults = Pick<
  NumberingPlan,
  | 'emergencyNumbers'
  | 'emergencyPrefixes'
  | 'emergencyAfterAreaCode'
  | 'premiumPrefixes'
  | 'servicePrefixes'
  | 'shortCodePrefixes'
>;

/**
 * Built-in classification per country. Germany (Bundesnetzagentur numbering plan): 110 police,
 * 112 fire/ambulance, 19222 rescue service, 116xxx social value; 0900 premium, 118xx directory
 * enquiries (charged); 0180 shared cost, 0137 mass calling, 0700 personal, 0800 freephone, 115
 * public administration. Mobile 015x/016x/017x is ordinary national. Short codes (11x, 116xxx,
 * 118xx, 19222) are dialled without area code, so no local number starts with them.
 */
export const COUNTRY_DEFAULTS: Readonly<Record<string, CountryDefaults>> = {
  '49': {
    emergencyNumbers: ['110', '112', '19222'],
    emergencyPrefixes: ['116'],
    emergencyAfterAreaCode: ['19222'],
    premiumPrefixes: ['900', '118'],
    servicePrefixes: ['180', '137', '700', '800', '115'],
    shortCodePrefixes: ['11', '19222'],
  },
};

/** For countries without built-in defaults: 112 only; configure the rest. */
export const GENERIC_DEFAULTS: CountryDefaults = {
  emergencyNumbers: ['112'],
  emergencyPrefixes: [],
  emergencyAfterAreaCode: [],
  premiumPrefixes: [],
  servicePrefixes: [],
  shortCodePrefixes: [],
};

export type NumberingPlanInput = Pick<
  NumberingPlan,
  'countryCode' | 'internationalPrefix' | 'nationalPrefix'
> &
  Partial<Omit<NumberingPlan, 'countryCode' | 'internationalPrefix' | 'nationalPrefix'>>;

/** A plan with the country's defaults filled in (explicit keys win). */
export function numberingPlan(input: NumberingPlanInput): NumberingPlan {
  const d = COUNTRY_DEFAULTS[input.countryCode] ?? GENERIC_DEFAULTS;
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  return {
    inputHasOutsideLinePrefix: false,
    dialLocal: false,
    dialInternational: false,
    ...d,
    ...defined,
  } as NumberingPlan;
}
