// Remote numbers of send/receive log rows replaced by pseudonyms (works-council scope of
// logging): the dialled number of outgoing records, the caller's number and name, further
// call ids and the remote station id (a CSI/TSI is usually the remote fax number). Our own
// number (`dest` of RECV and CALL records) stays. The pseudonym function is the caller's
// (a keyed hash in the gateway); this module only knows which columns hold remote numbers.

/** Maps a number (or station id, or name) to its pseudonym. */
export type XferPseudonymise = (value: string) => string;

const LOCAL_DEST = new Set(['RECV', 'CALL']);

/** A copy of a stored xfer_log row with its remote numbers pseudonymised. */
export function pseudonymiseXferRow<T extends Record<string, unknown>>(row: T, ps: XferPseudonymise): T {
  const map = (v: unknown) => (typeof v === 'string' && v !== '' ? ps(v) : v);
  return {
    ...row,
    dest: LOCAL_DEST.has(String(row.type)) ? row.dest : map(row.dest),
    remote_station: map(row.remote_station),
    cid_name: map(row.cid_name),
    cid_number: map(row.cid_number),
    call_ids: Array.isArray(row.call_ids) ? row.call_ids.map(map) : row.call_ids,
  };
}
