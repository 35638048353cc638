// Code tables of ITU-T T.4 (modified Huffman run lengths, 2-D mode codes) and the decoding
// lookup tables generated from them at module load (the way libtiff's mkg3states does it,
// but MSB-first and packed into one Uint32 per entry).

/** Terminating codes for white runs 0..63, as bit strings (first transmitted bit first). */
// biome-ignore format: code table, 8 codes a line
const WHITE_TERM = [
  '00110101', '000111', '0111', '1000', '1011', '1100', '1110', '1111',
  '10011', '10100', '00111', '01000', '001000', '000011', '110100', '110101',
  '101010', '101011', '0100111', '0001100', '0001000', '0010111', '0000011', '0000100',
  '0101000', '0101011', '0010011', '0100100', '0011000', '00000010', '00000011', '00011010',
  '00011011', '00010010', '00010011', '00010100', '00010101', '00010110', '00010111', '00101000',
  '00101001', '00101010', '00101011', '00101100', '00101101', '00000100', '00000101', '00001010',
  '00001011', '01010010', '01010011', '01010100', '01010101', '00100100', '00100101', '01011000',
  '01011001', '01011010', '01011011', '01001010', '01001011', '00110010', '00110011', '00110100',
];

/** Make-up codes for white runs 64, 128, .., 1728. */
// biome-ignore format: code table, 8 codes a line
const WHITE_MAKEUP = [
  '11011', '10010', '010111', '0110111', '00110110', '00110111', '01100100', '01100101',
  '01101000', '01100111', '011001100', '011001101', '011010010', '011010011', '011010100', '011010101',
  '011010110', '011010111', '011011000', '011011001', '011011010', '011011011', '010011000', '010011001',
  '010011010', '011000', '010011011',
];

/** Terminating codes for black runs 0..63. */
// biome-ignore format: code table, 8 codes a line
const BLACK_TERM = [
  '0000110111', '010', '11', '10', '011', '0011', '0010', '00011',
  '000101', '000100', '0000100', '0000101', '0000111', '00000100', '00000111', '000011000',
  '0000010111', '0000011000', '0000001000', '00001100111', '00001101000', '00001101100', '00000110111', '00000101000',
  '00000010111', '00000011000', '000011001010', '000011001011', '000011001100', '000011001101', '000001101000', '000001101001',
  '000001101010', '000001101011', '000011010010', '000011010011', '000011010100', '000011010101', '000011010110', '000011010111',
  '000001101100', '000001101101', '000011011010', '000011011011', '000001010100', '000001010101', '000001010110', '000001010111',
  '000001100100', '000001100101', '000001010010', '000001010011', '000000100100', '000000110111', '000000111000', '000000100111',
  '000000101000', '000001011000', '000001011001', '000000101011', '000000101100', '000001011010', '000001100110', '000001100111',
];

/** Make-up codes for black runs 64, 128, .., 1728. */
// biome-ignore format: code table, 8 codes a line
const BLACK_MAKEUP = [
  '0000001111', '000011001000', '000011001001', '000001011011', '000000110011', '000000110100', '000000110101', '0000001101100',
  '0000001101101', '0000001001010', '0000001001011', '0000001001100', '0000001001101', '0000001110010', '0000001110011', '0000001110100',
  '0000001110101', '0000001110110', '0000001110111', '0000001010010', '0000001010011', '0000001010100', '0000001010101', '0000001011010',
  '0000001011011', '0000001100100', '0000001100101',
];

/** Extended make-up codes shared by both colours: runs 1792, 1856, .., 2560. */
// biome-ignore format: code table, 8 codes a line
const EXT_MAKEUP = [
  '00000001000', '00000001100', '00000001101', '000000010010', '000000010011', '000000010100', '000000010101',
  '000000010110', '000000010111', '000000011100', '000000011101', '000000011110', '000000011111',
];

/** End of line: 11 zeros and a one. */
export const EOL_CODE = 0x001;
export const EOL_BITS = 12;

// 2-D mode codes (T.4 §4.2.1.3.2 / T.6).
export const PASS_CODE = 0b0001;
export const PASS_BITS = 4;
export const HORIZ_CODE = 0b001;
export const HORIZ_BITS = 3;
/** Vertical codes indexed by (a1 - b1) + 3: VL3, VL2, VL1, V0, VR1, VR2, VR3. */
export const VERT_CODE = new Uint8Array([0b0000010, 0b000010, 0b010, 0b1, 0b011, 0b000011, 0b0000011]);
export const VERT_BITS = new Uint8Array([7, 6, 3, 1, 3, 6, 7]);

/** Largest run that one make-up code plus one terminating code can express without 2560 chunks. */
export const MAX_SINGLE_SPAN = 2623;

/**
 * Encoder tables: for every run 0..2623, the complete code (make-up + terminating) as one value
 * of up to 25 bits, and its length. Longer runs first emit make-up 2560 codes.
 */
export const WHITE_RUN_CODE = new Int32Array(MAX_SINGLE_SPAN + 1);
export const WHITE_RUN_BITS = new Uint8Array(MAX_SINGLE_SPAN + 1);
export const BLACK_RUN_CODE = new Int32Array(MAX_SINGLE_SPAN + 1);
export const BLACK_RUN_BITS = new Uint8Array(MAX_SINGLE_SPAN + 1);
/** Make-up 2560 (the same code for both colours). */
export const MAKEUP_2560_CODE = 0b000000011111;
export const MAKEUP_2560_BITS = 12;

function makeupFor(run: number, makeup: readonly string[]): string {
  const i = (run >>> 6) - 1;
  return i < 27 ? makeup[i] : EXT_MAKEUP[i - 27];
}

function buildEncoderTables(
  term: readonly string[],
  makeup: readonly string[],
  codes: Int32Array,
  bits: Uint8Array,
): void {
  for (let run = 0; run <= MAX_SINGLE_SPAN; run++) {
    let s = '';
    if (run >= 64) s = makeupFor(run, makeup);
    s += term[run & 63];
    codes[run] = Number.parseInt(s, 2);
    bits[run] = s.length;
  }
}

buildEncoderTables(WHITE_TERM, WHITE_MAKEUP, WHITE_RUN_CODE, WHITE_RUN_BITS);
buildEncoderTables(BLACK_TERM, BLACK_MAKEUP, BLACK_RUN_CODE, BLACK_RUN_BITS);

// ---------------------------------------------------------------------------------------------
// Decoder tables. Each entry: kind (bits 0..3) | code length (bits 4..7) | value (bits 8..).
// Index = the next N bits of the stream, MSB first (N = 12 white, 13 black, 7 for 2-D modes).

export const K_INVALID = 0;
export const K_TERM = 1;
export const K_MAKEUP = 2;
/** EOL (11 zeros + 1). */
export const K_EOL = 3;
/** Only zeros in the peek window: fill, an EOL to come, or padding at the end. */
export const K_ZEROS = 4;
export const K_PASS = 5;
export const K_HORIZ = 6;
/** Vertical mode; value = (a1 - b1) + 3. */
export const K_VERT = 7;
/** 2-D extension code (uncompressed mode etc.): not supported, treated as an error. */
export const K_EXT = 8;

export const WHITE_PEEK = 12;
export const BLACK_PEEK = 13;
export const MODE_PEEK = 7;

function fill(table: Uint32Array, peek: number, code: string, kind: number, value: number): void {
  const len = code.length;
  const shift = peek - len;
  const base = Number.parseInt(code, 2) << shift;
  const entry = (value << 8) | (len << 4) | kind;
  for (let i = 0; i < 1 << shift; i++) {
    if (table[base | i] !== 0) throw new Error(`code table overlap at ${code}`);
    table[base | i] = entry;
  }
}

function buildRunTable(peek: number, term: readonly string[], makeup: readonly string[]): Uint32Array {
  const t = new Uint32Array(1 << peek);
  for (let r = 0; r < 64; r++) fill(t, peek, term[r], K_TERM, r);
  for (let i = 0; i < makeup.length; i++) fill(t, peek, makeup[i], K_MAKEUP, (i + 1) * 64);
  for (let i = 0; i < EXT_MAKEUP.length; i++) fill(t, peek, EXT_MAKEUP[i], K_MAKEUP, 1792 + i * 64);
  fill(t, peek, '000000000001', K_EOL, 0);
  t[0] = K_ZEROS | (peek << 4); // all zeros: the caller checks for EOL / end of data
  return t;
}

/** 12-bit peek → white run code. */
export const WHITE_TABLE = buildRunTable(WHITE_PEEK, WHITE_TERM, WHITE_MAKEUP);
/** 13-bit peek → black run code. */
export const BLACK_TABLE = buildRunTable(BLACK_PEEK, BLACK_TERM, BLACK_MAKEUP);

function buildModeTable(): Uint32Array {
  const t = new Uint32Array(1 << MODE_PEEK);
  fill(t, MODE_PEEK, '0001', K_PASS, 0);
  fill(t, MODE_PEEK, '001', K_HORIZ, 0);
  const names = ['0000010', '000010', '010', '1', '011', '000011', '0000011'];
  for (let d = 0; d < 7; d++) fill(t, MODE_PEEK, names[d], K_VERT, d);
  fill(t, MODE_PEEK, '0000001', K_EXT, 0);
  t[0] = K_ZEROS | (MODE_PEEK << 4);
  return t;
}

/** 7-bit peek → 2-D mode code. */
export const MODE_TABLE = buildModeTable();

/** Bit reversal of a byte (FillOrder 2 ⇄ 1). */
export const REVERSE_BITS = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >>> b;
  REVERSE_BITS[i] = r;
}

/** A copy of `data` with the bit order of every byte reversed. */
export function reverseBits(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = REVERSE_BITS[data[i]];
  return out;
}

/** Reverses the bit order of every byte in place. */
export function reverseBitsInPlace(data: Uint8Array): void {
  for (let i = 0; i < data.length; i++) data[i] = REVERSE_BITS[data[i]];
}
