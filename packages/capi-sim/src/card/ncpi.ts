// The fax NCPI the card reports (capi-reference §8.7): after training in
// CONNECT_B3_ACTIVE_IND (no pages yet) and at the end in DISCONNECT_B3_IND (pages moved).
import { B3Protocol, encodeFaxNcpi, FaxFormat, FaxOptions } from '@faxgate/capi-bindings';
import type { BStack } from './bprotocol.js';
import type { LineCall } from './model.js';
import { type CardState, EMPTY } from './state.js';

/** B3 = 4: Resolution 1 is high (fine); B3 = 5: the HIGH_RESOLUTION option bit. */
const FINE_RESOLUTION = 1;

/** Rate, resolution, SFF format, pages and the remote station ID, in the form of B3 4 or 5. */
export function faxNcpi(
  stack: BStack,
  rate: number,
  fine: boolean,
  pages: number,
  receiveId: string,
): Uint8Array {
  const format = FaxFormat.SFF;
  return encodeFaxNcpi(
    stack.b3 === B3Protocol.T30_FAX_G3
      ? { b3: B3Protocol.T30_FAX_G3, rate, resolution: fine ? FINE_RESOLUTION : 0, format, pages, receiveId }
      : {
          b3: B3Protocol.T30_FAX_G3_EXT,
          rate,
          options: fine ? FaxOptions.HIGH_RESOLUTION : 0,
          format,
          pages,
          receiveId,
        },
  );
}

/**
 * Final fax NCPI of a call: rate, resolution, pages, remote ID. Empty for a non-fax B3, and
 * for B3 4 on a card configured `finalNcpi: 'b3-5-only'` (the application counts pages).
 */
export function finalNcpi(card: CardState, call: LineCall, pages: number): Uint8Array {
  const stack = call.owner?.stack;
  if (!stack?.fax) return EMPTY;
  if (stack.b3 === B3Protocol.T30_FAX_G3 && card.cfg.finalNcpi === 'b3-5-only') return EMPTY;
  return faxNcpi(stack, call.record.rate ?? 0, call.record.fine ?? false, pages, call.record.remoteId ?? '');
}
