// When a page is turned a quarter: as a printer driver's auto-rotate, only when that prints
// it larger. A landscape page wider than the fax line (A4 or Letter landscape, an envelope)
// turns and fills the portrait page; one that fits upright (a 200×50 pt label, a half-width
// landscape sheet) stays as it is, readable without turning the paper.
import { type FaxGeometry, fitPage } from './geometry.js';

/** Pages at most this much wider than tall count as square: never turned. */
const LANDSCAPE_RATIO = 1.05;
/** Turning must print at least this much larger (a 0.4 % shrink is not worth a turn). */
const MIN_GAIN = 1.01;

/** Whether a page of `wIn` × `hIn` inches (as it would be seen upright) is turned. */
export function turnsLandscape(wIn: number, hIn: number, g: FaxGeometry): boolean {
  if (!(wIn > hIn * LANDSCAPE_RATIO)) return false;
  const upright = fitPage(wIn, hIn, g).scaleX;
  const turned = fitPage(hIn, wIn, g).scaleX;
  return turned > upright * MIN_GAIN;
}
