// Growable output buffers of the coders: doubled until `need` more bytes fit after `used`.

/** `buf` if `need` more bytes fit after `used`, else a bigger copy of its first `used` bytes. */
export function growBytes(buf: Uint8Array, used: number, need: number): Uint8Array {
  if (used + need <= buf.length) return buf;
  let size = Math.max(1, buf.length) * 2;
  while (size < used + need) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, used));
  return next;
}
