// What the headers of an intake message say before anything else is read: is it machine-made
// (auto-reply, bounce, mail loop) — never faxed, never answered — and did the trusted relay
// find DMARC passing. Pure functions over the raw header lines, in the order they stand.

export interface HeaderLine {
  /** Lower-case header name. */
  key: string;
  /** The unfolded value, without the name. */
  value: string;
}

/** mailparser's headerLines ({ key, line: 'Name: value' }, folded) → unfolded values. */
export function headerLinesOf(lines: ReadonlyArray<{ key: string; line: string }>): HeaderLine[] {
  return lines.map((l) => {
    const colon = l.line.indexOf(':');
    const raw = colon < 0 ? '' : l.line.slice(colon + 1);
    return { key: l.key.toLowerCase(), value: raw.replace(/\r?\n[ \t]+/g, ' ').trim() };
  });
}

const all = (h: readonly HeaderLine[], key: string) => h.filter((l) => l.key === key).map((l) => l.value);

export type MachineKind = 'bounce' | 'auto-reply' | 'loop';

export interface MachineVerdict {
  kind: MachineKind;
  /** Which header said so, for the audit event. */
  why: string;
}

/** Things faxgate puts in every mail it sends (the mail outbox), so it knows its own mail again. */
export const OWN_HEADER_PREFIX = 'x-faxgate-';

/**
 * A message no person wrote to be faxed: a bounce (RFC 3464 report, null Return-Path, mailer
 * daemon), an auto-reply (RFC 3834 Auto-Submitted, the common X- headers, bulk and list mail),
 * or a loop (our own header, our own Message-ID domain, too many hops). Undefined: a person's.
 */
export function machineMade(
  h: readonly HeaderLine[],
  opts: { ownMessageIdDomains: readonly string[]; maxReceived: number },
): MachineVerdict | undefined {
  const own = h.find((l) => l.key.startsWith(OWN_HEADER_PREFIX));
  if (own) return { kind: 'loop', why: `${own.key} header (faxgate's own mail)` };
  const received = all(h, 'received').length;
  if (received > opts.maxReceived) return { kind: 'loop', why: `${received} Received headers` };
  const messageId = all(h, 'message-id')[0]?.toLowerCase() ?? '';
  const idDomain = /@([^>\s]+)>?\s*$/.exec(messageId)?.[1];
  if (idDomain && opts.ownMessageIdDomains.includes(idDomain)) {
    return { kind: 'loop', why: `Message-ID from ${idDomain}` };
  }

  const returnPath = all(h, 'return-path');
  if (returnPath.some((v) => /^<\s*>$/.test(v))) return { kind: 'bounce', why: 'Return-Path <>' };
  const contentType = all(h, 'content-type')[0]?.toLowerCase() ?? '';
  if (
    /^multipart\/report\s*;/.test(contentType) &&
    /report-type\s*=\s*"?(delivery-status|disposition-notification)/.test(contentType)
  ) {
    return { kind: 'bounce', why: 'multipart/report delivery status' };
  }
  const from = all(h, 'from').join(' ').toLowerCase();
  if (/(^|[<\s"])(mailer-daemon|postmaster)@/.test(from))
    return { kind: 'bounce', why: 'From mailer daemon' };

  const autoSubmitted = all(h, 'auto-submitted')[0]?.toLowerCase();
  if (autoSubmitted !== undefined && !/^no\b/.test(autoSubmitted)) {
    return { kind: 'auto-reply', why: `Auto-Submitted: ${autoSubmitted.slice(0, 40)}` };
  }
  for (const key of ['x-autoreply', 'x-autorespond']) {
    if (all(h, key).length > 0) return { kind: 'auto-reply', why: `${key} header` };
  }
  const precedence = all(h, 'precedence')[0]?.toLowerCase();
  if (precedence && /^(bulk|junk|list|auto_reply)\b/.test(precedence)) {
    return { kind: 'auto-reply', why: `Precedence: ${precedence.slice(0, 20)}` };
  }
  if (all(h, 'list-id').length > 0) return { kind: 'auto-reply', why: 'List-Id header (list mail)' };
  return undefined;
}

export type DmarcVerdict = { ok: true } | { ok: false; why: string };

/**
 * With requireAuthResults: the topmost Authentication-Results header whose authserv-id is the
 * trusted relay's (headers of other ids are anyone's to write and are ignored) must say
 * dmarc=pass, and the message must have exactly one From (a second From is how alignment is
 * faked: the relay checked one, a reader may show the other).
 */
export function dmarcVerdict(h: readonly HeaderLine[], authServId: string): DmarcVerdict {
  const froms = all(h, 'from');
  if (froms.length !== 1) return { ok: false, why: `${froms.length} From headers` };
  const id = authServId.toLowerCase();
  const ours = all(h, 'authentication-results').find((v) => {
    const first = v.split(';')[0]?.trim().split(/\s+/)[0]?.toLowerCase();
    return first === id;
  });
  if (!ours) return { ok: false, why: `no Authentication-Results from ${authServId}` };
  const dmarc = /(?:^|;)\s*dmarc\s*=\s*([a-z]+)/i.exec(ours.replace(/\([^)]*\)/g, ''));
  if (!dmarc) return { ok: false, why: `${authServId} reports no DMARC result` };
  if (dmarc[1].toLowerCase() !== 'pass') return { ok: false, why: `dmarc=${dmarc[1].toLowerCase()}` };
  return { ok: true };
}
