// Damaged pages at submission (issue 16): a fax file (TIFF, SFF) whose pages have bad rows —
// repaired from the row above or missing — beyond intake.damage is refused with a message that
// names page and rows, unless the sender asks to send it anyway (acceptDamaged), which is
// audited. Rendered documents (PDF, images, text) are never damaged.
import type { PageQuality } from '@faxgate/fax-core';

export interface DamagePolicy {
  /** A page is damaged beyond this share of bad rows (0.01: more than 1 % of its rows). */
  maxBadLineFraction: number;
  /** …or with a run of this many consecutive bad rows. */
  maxConsecutiveBadLines: number;
}

export const DEFAULT_DAMAGE_POLICY: DamagePolicy = { maxBadLineFraction: 0.01, maxConsecutiveBadLines: 16 };

/** A page of a submission with bad rows, numbered as the fax is sent (a cover page is page 1). */
export interface PageDamage {
  page: number;
  file: string;
  rows: number;
  badLines: number;
  consecutiveBadLines: number;
  /** The first and the last bad row of the page as it is in the file, 0-based. */
  firstBadRow?: number;
  lastBadRow?: number;
}

export function pageDamage(page: number, file: string, rows: number, q: PageQuality): PageDamage {
  const d: PageDamage = {
    page,
    file,
    rows,
    badLines: q.badLines,
    consecutiveBadLines: q.consecutiveBadLines,
  };
  if (q.firstBadRow !== undefined) d.firstBadRow = q.firstBadRow;
  if (q.lastBadRow !== undefined) d.lastBadRow = q.lastBadRow;
  return d;
}

/** The pages damaged beyond the policy. */
export function beyondPolicy(policy: DamagePolicy, pages: readonly PageDamage[]): PageDamage[] {
  return pages.filter(
    (d) =>
      d.badLines > policy.maxBadLineFraction * d.rows ||
      d.consecutiveBadLines >= policy.maxConsecutiveBadLines,
  );
}

/** "page 1: 3133 of 3369 rows damaged (rows 236–3368)" */
export function describeDamage(d: PageDamage): string {
  const where =
    d.firstBadRow === undefined || d.lastBadRow === undefined
      ? ''
      : d.firstBadRow === d.lastBadRow
        ? ` (row ${d.firstBadRow})`
        : ` (rows ${d.firstBadRow}–${d.lastBadRow})`;
  return `page ${d.page}: ${d.badLines} of ${d.rows} rows damaged${where}`;
}

/** The refusal: the damaged pages are named, and how to send anyway. */
export class DamagedPagesError extends Error {
  readonly code = 'damaged_pages';
  constructor(
    readonly pages: readonly PageDamage[],
    howToAccept: string,
  ) {
    super(`${pages.map(describeDamage).join('; ')}; ${howToAccept}`);
    this.name = 'DamagedPagesError';
  }
}

/** The audit detail of a damaged submission sent anyway: pages and counts, no pixels. */
export function damageAuditDetail(pages: readonly PageDamage[]): Record<string, unknown> {
  return {
    damagedPages: pages.map((d) => ({
      page: d.page,
      file: d.file,
      rows: d.rows,
      badLines: d.badLines,
      consecutiveBadLines: d.consecutiveBadLines,
      firstBadRow: d.firstBadRow ?? null,
      lastBadRow: d.lastBadRow ?? null,
    })),
  };
}
