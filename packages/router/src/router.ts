// The router: a validated configuration plus the mailboxes (passed in by the caller, never read
// from the database here) → pure decisions for outgoing and incoming faxes.
import { NumberError, RouterConfigError } from './errors.js';
import {
  type CalledNumberMode,
  decideIncoming,
  type InboundDecision,
  type InboundRule,
  type IncomingCall,
  type MailboxRef,
  matchNumber,
  matchRules,
  type NumberMatch,
} from './inbound.js';
import { type NormalisedNumber, normaliseNumber } from './normalise.js';
import { type NumberingPlan, type NumberingPlanInput, numberingPlan } from './plan.js';
import { type DestinationDecision, type DestinationPolicy, decideDestination } from './policy.js';
import { type RouterConfig, validateRouterConfig } from './schema.js';

/** A mailbox as the store lists it; only incoming mailboxes (or ones without kind) own numbers for routing. */
export interface MailboxInput extends MailboxRef {
  kind?: 'incoming' | 'outgoing';
  numbers?: readonly string[];
}

export type OutgoingDecision<M extends MailboxRef = MailboxRef> =
  /** One of our own numbers: deliver to this mailbox, never dial (M 5.73). */
  | { action: 'internal'; number: NormalisedNumber; mailbox: M; rule: string }
  | { action: 'dial'; number: NormalisedNumber; rule: string }
  | { action: 'refuse'; number: NormalisedNumber; rule: string; reason: string };

export interface Router<M extends MailboxRef = MailboxRef> {
  readonly plan: NumberingPlan;
  /** Destination as typed → E.164, dial string, kind. Throws NumberError. */
  normalise(input: unknown): NormalisedNumber;
  /** The internal mailbox a destination reaches, or undefined when it is not one of our numbers. */
  findInternal(number: string): M | undefined;
  /** Destination policy for a sender in `groups`. Throws NumberError for a malformed number. */
  checkDestination(number: string, options?: { groups?: readonly string[] }): DestinationDecision;
  /** Mailbox (or rejection) for an incoming call. Never throws for hostile call data. */
  routeIncoming(call: IncomingCall): InboundDecision<M>;
  /** The whole outgoing decision: normalise → internal short-circuit → destination policy. */
  decideOutgoing(input: unknown, options?: { groups?: readonly string[] }): OutgoingDecision<M>;
}

/** Collects "path: problem" lines while resolving the configuration. */
class Problems {
  readonly lines: string[] = [];
  add(path: string, message: string): void {
    this.lines.push(`${path}: ${message}`);
  }
}

function toPlan(n: RouterConfig['numbering']): NumberingPlan {
  return numberingPlan(n as NumberingPlanInput);
}

function parseNumber(
  text: string,
  plan: NumberingPlan,
  path: string,
  problems: Problems,
): string | undefined {
  try {
    return normaliseNumber(text, { ...plan, inputHasOutsideLinePrefix: false }).e164;
  } catch (e) {
    if (!(e instanceof NumberError)) throw e;
    problems.add(path, e.message);
    return undefined;
  }
}

function compileRegex(source: string, path: string, problems: Problems): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch (e) {
    problems.add(path, `invalid regular expression: ${(e as Error).message}`);
    return undefined;
  }
}

/** '+49301234500-+49301234599' or '030 1234500 - 030 1234599'; a plain '-' is a separator inside a number. */
const RANGE_TEXT = /^(.+?)(?:\s+-\s+|-(?=\s*\+))(.+)$/;

function resolveMatch(
  m: string | { from: string; to: string } | { regex: string } | { absent: true },
  plan: NumberingPlan,
  path: string,
  problems: Problems,
): NumberMatch | undefined {
  if (typeof m === 'object' && 'absent' in m) return { absent: true };
  if (typeof m === 'object' && 'regex' in m) {
    const regex = compileRegex(m.regex, `${path}.regex`, problems);
    return regex && { regex };
  }
  let range: { from: string; to: string } | undefined;
  if (typeof m === 'object') range = m;
  else {
    const r = RANGE_TEXT.exec(m);
    if (!r) {
      const equals = parseNumber(m, plan, path, problems);
      return equals === undefined ? undefined : { equals };
    }
    range = { from: r[1].trim(), to: r[2].trim() };
  }
  const from = parseNumber(range.from, plan, typeof m === 'object' ? `${path}.from` : path, problems);
  const to = parseNumber(range.to, plan, typeof m === 'object' ? `${path}.to` : path, problems);
  if (from === undefined || to === undefined) return undefined;
  if (from.length !== to.length) {
    problems.add(path, `range ends ${from} and ${to} differ in length`);
    return undefined;
  }
  if (from > to) {
    problems.add(path, `range starts after it ends (${from} > ${to})`);
    return undefined;
  }
  return { from, to };
}

/**
 * Builds a router. `config` is validated here (structure and meaning: numbers, regular
 * expressions, mailbox names); every problem is reported at once in a RouterConfigError.
 */
export function createRouter<M extends MailboxInput>(config: unknown, mailboxes: readonly M[]): Router<M> {
  const cfg = validateRouterConfig(config);
  const plan = toPlan(cfg.numbering);
  const problems = new Problems();

  const byName = new Map(mailboxes.map((m) => [m.name, m]));
  const mailbox = (name: string, path: string): M | undefined => {
    const m = byName.get(name);
    if (!m) problems.add(path, `no mailbox named ${JSON.stringify(name)}`);
    else if (m.kind === 'outgoing')
      problems.add(path, `mailbox ${JSON.stringify(name)} is an outgoing mailbox`);
    return m;
  };

  // Our own numbers: each incoming mailbox's, then configured MSNs and DDI blocks.
  const numberOwner = new Map<string, M>();
  for (const m of mailboxes) {
    if (m.kind === 'outgoing') continue;
    (m.numbers ?? []).forEach((text, i) => {
      const e164 = parseNumber(text, plan, `mailboxes.${m.name}.numbers.${i}`, problems);
      if (e164 === undefined) return;
      const other = numberOwner.get(e164);
      if (other && other !== m) {
        problems.add(`mailboxes.${m.name}.numbers.${i}`, `${e164} also belongs to mailbox ${other.name}`);
      }
      numberOwner.set(e164, m);
    });
  }
  const ownNumbers: NumberMatch[] = [];
  cfg.inbound.ownNumbers.forEach((m, i) => {
    const r = resolveMatch(m, plan, `inbound.ownNumbers.${i}`, problems);
    if (r) ownNumbers.push(r);
  });
  const calledMode = cfg.inbound.called as CalledNumberMode;
  if (calledMode.mode === 'ddi') {
    // The whole DDI block is ours: base followed by any `length` digits.
    const total = calledMode.base.length - 1 + calledMode.length;
    if (total > 15) problems.add('inbound.called', `base plus ${calledMode.length} digits exceeds 15 digits`);
    ownNumbers.push({
      from: calledMode.base + '0'.repeat(calledMode.length),
      to: calledMode.base + '9'.repeat(calledMode.length),
    });
  }

  if (cfg.inbound.default === undefined) {
    problems.add('inbound.default', 'expected the fax post office mailbox, where unmatched faxes go');
  }
  const defaultMailbox =
    cfg.inbound.default === undefined ? undefined : mailbox(cfg.inbound.default, 'inbound.default');

  const rules: InboundRule<M>[] = [];
  cfg.inbound.rules.forEach((r, i) => {
    const path = `inbound.rules.${i}`;
    const called =
      r.called === undefined ? undefined : resolveMatch(r.called, plan, `${path}.called`, problems);
    const caller =
      r.caller === undefined ? undefined : resolveMatch(r.caller, plan, `${path}.caller`, problems);
    const tsi = r.tsi === undefined ? undefined : compileRegex(r.tsi, `${path}.tsi`, problems);
    const target = r.mailbox === undefined ? undefined : mailbox(r.mailbox, `${path}.mailbox`);
    const action = r.reject !== undefined ? { reject: r.reject } : target && { mailbox: target };
    if (!action) return;
    rules.push({
      name: r.name ?? `rule ${i + 1}`,
      ...(called ? { called } : {}),
      ...(caller ? { caller } : {}),
      ...(tsi ? { tsi } : {}),
      action,
    });
  });

  for (const [name, g] of Object.entries(cfg.destinations.groups)) {
    if (g.allowKinds.includes('emergency')) {
      problems.add(`destinations.groups.${name}.allowKinds`, 'emergency numbers can never be allowed');
    }
  }
  if (cfg.destinations.allow.length === 0 && cfg.destinations.allowOnly) {
    const anyGroup = Object.values(cfg.destinations.groups).some(
      (g) => g.allow.length + g.allowKinds.length > 0,
    );
    if (!anyGroup)
      problems.add('destinations.allowOnly', 'true with an empty allow list would refuse every number');
  }

  if (problems.lines.length > 0 || !defaultMailbox) throw new RouterConfigError(problems.lines);
  const post = defaultMailbox;
  const policy: DestinationPolicy = cfg.destinations;

  const normalise = (input: unknown) => normaliseNumber(input, plan);

  function internal(e164: string): { mailbox: M; rule: string } | undefined {
    const owner = numberOwner.get(e164);
    if (owner) return { mailbox: owner, rule: 'mailbox-number' };
    if (!ownNumbers.some((m) => matchNumber(m, e164))) return undefined;
    // One of our numbers without its own mailbox: deliver where a call to it would go. A rule
    // rejecting such calls cannot bounce an internal fax back out to the line: post office.
    const d = matchRules({ called: e164 }, rules, post);
    return d.action === 'deliver' ? { mailbox: d.mailbox, rule: d.rule } : { mailbox: post, rule: 'default' };
  }

  const check = (n: NormalisedNumber, groups: readonly string[] = []) =>
    decideDestination(n.e164, n.kind, policy, groups);

  return {
    plan,
    normalise,
    findInternal: (number) => internal(normalise(number).e164)?.mailbox,
    checkDestination: (number, options) => check(normalise(number), options?.groups),
    routeIncoming(call) {
      // Rules first (they may reject or re-route any number), then the mailbox that owns the
      // called number, then the fax post office.
      const d = decideIncoming(call, rules, post, calledMode, plan);
      if (d.action !== 'deliver' || d.rule !== 'default' || d.called === undefined) return d;
      const owner = numberOwner.get(d.called);
      return owner ? { ...d, mailbox: owner, rule: 'mailbox-number' } : d;
    },
    decideOutgoing(input, options) {
      const number = normalise(input);
      const own = number.kind === 'emergency' ? undefined : internal(number.e164);
      if (own) return { action: 'internal', number, mailbox: own.mailbox, rule: own.rule };
      const d = check(number, options?.groups);
      return d.allowed
        ? { action: 'dial', number, rule: d.rule }
        : { action: 'refuse', number, rule: d.rule, reason: d.reason };
    },
  };
}
