// Where an intake message names the fax number: a recipient at the fax domain
// (`+4930123456@fax.example.org`, `030-123456@…`) or the subject ("Fax: +49 30 123456").
// Only the characters a number may hold are taken here; the router's number normaliser and
// destination policy decide what it is, exactly as for the API.

export type NumberFound =
  | { ok: true; number: string; from: 'address' | 'subject' }
  | { ok: false; why: string };

const LOCAL_NUMBER = /^\+?[0-9][0-9().\-/]{1,39}$/;
const SUBJECT_NUMBER = /\bfax\s*:\s*(\+?[0-9][0-9 ().\-/]{1,39})/i;

/** One number per message: several different ones are refused rather than guessed. */
export function numberOfMessage(
  recipients: readonly string[],
  subject: string,
  faxDomain: string,
): NumberFound {
  const domain = faxDomain.toLowerCase();
  const fromAddresses = new Set<string>();
  for (const a of recipients) {
    const at = a.lastIndexOf('@');
    if (at < 0 || a.slice(at + 1).toLowerCase() !== domain) continue;
    const local = a.slice(0, at);
    if (!LOCAL_NUMBER.test(local))
      return { ok: false, why: `${JSON.stringify(local.slice(0, 40))}@${domain} is not a fax number` };
    fromAddresses.add(local);
  }
  if (fromAddresses.size > 1) {
    return { ok: false, why: `one fax number per message, found ${[...fromAddresses].join(', ')}` };
  }
  if (fromAddresses.size === 1) return { ok: true, number: [...fromAddresses][0], from: 'address' };
  const m = SUBJECT_NUMBER.exec(subject);
  if (m) return { ok: true, number: m[1].trim(), from: 'subject' };
  return {
    ok: false,
    why: `no fax number: write to +4930123456@${domain} or put "Fax: +49 30 123456" in the subject`,
  };
}
