// Destination policy (M 4.36, NET.4.3.A12): may this user's fax be dialled to this number?
import type { NumberKind } from './plan.js';

export interface GroupPolicy {
  /** E.164 prefixes this group may dial even when a kind block or the allow-only list says no. */
  allow: string[];
  /** Kinds this group may dial although blocked globally, e.g. ['international']. */
  allowKinds: NumberKind[];
}

export interface DestinationPolicy {
  /** E.164 prefixes never dialled ('+49900', '+4930123'); beats every allow. */
  deny: string[];
  /** E.164 prefixes dialled even when their kind is blocked. */
  allow: string[];
  /** When true, only numbers matching `allow` (or a group's allow) are dialled. */
  allowOnly: boolean;
  /** Kinds refused unless allowed; default premium and international. Emergency is always refused. */
  blockKinds: NumberKind[];
  /** Overrides per user group (by group name). */
  groups: Record<string, GroupPolicy>;
}

export type DestinationDecision =
  | { allowed: true; rule: string }
  | {
      allowed: false;
      /** Which rule refused: 'emergency', 'deny:+49900', 'allow-only', 'block:premium'. */
      rule: string;
      /** A sentence for the user. */
      reason: string;
    };

const KIND_WORDS: Record<NumberKind, string> = {
  local: 'local numbers',
  national: 'national numbers',
  international: 'international numbers',
  emergency: 'emergency numbers',
  premium: 'premium-rate numbers',
  service: 'service numbers',
};

/** The longest prefix in `prefixes` that `e164` starts with. */
function longestMatch(e164: string, prefixes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const p of prefixes)
    if (e164.startsWith(p) && (best === undefined || p.length > best.length)) best = p;
  return best;
}

/**
 * Decides in this order (first that applies wins):
 * 1. emergency numbers are always refused — a fax gateway never calls them;
 * 2. an explicit deny prefix refuses;
 * 3. a group of the sender allowing the prefix or the kind allows;
 * 4. with `allowOnly`, a number outside the global allow list is refused; inside it is allowed;
 * 5. a blocked kind (premium, international by default) is refused unless the global allow list has it;
 * 6. otherwise allowed.
 */
export function decideDestination(
  e164: string,
  kind: NumberKind,
  policy: DestinationPolicy,
  groups: readonly string[] = [],
): DestinationDecision {
  if (kind === 'emergency') {
    return {
      allowed: false,
      rule: 'emergency',
      reason: `${e164} is an emergency number; faxes are never sent to emergency services`,
    };
  }
  const denied = longestMatch(e164, policy.deny);
  if (denied !== undefined) {
    return {
      allowed: false,
      rule: `deny:${denied}`,
      reason: `numbers starting with ${denied} are blocked by the destination policy`,
    };
  }
  for (const name of [...groups].sort()) {
    const g = policy.groups[name];
    if (!g) continue;
    const p = longestMatch(e164, g.allow);
    if (p !== undefined) return { allowed: true, rule: `group:${name}:allow:${p}` };
    if (g.allowKinds.includes(kind)) return { allowed: true, rule: `group:${name}:kind:${kind}` };
  }
  const allowed = longestMatch(e164, policy.allow);
  if (allowed !== undefined) return { allowed: true, rule: `allow:${allowed}` };
  if (policy.allowOnly) {
    return {
      allowed: false,
      rule: 'allow-only',
      reason: `${e164} is not on the list of allowed destinations`,
    };
  }
  if (policy.blockKinds.includes(kind)) {
    return {
      allowed: false,
      rule: `block:${kind}`,
      reason: `${KIND_WORDS[kind]} are blocked; ask the fax administrator for an exception`,
    };
  }
  return { allowed: true, rule: 'default' };
}
