// T.4 (MH, MR) and T.6 (MMR) fax codecs. See README.md, section "Codecs".
export {
  decodeMhRow,
  decodePage,
  decodePageRuns,
  PageDecoder,
  type RowSink,
  type RunsDecodeResult,
} from './decode.js';
export { encodeMhRow, encodePage, MhRowEncoder } from './encode.js';
export { fillBlack, paintRow, rowChanges } from './runs.js';
export { reverseBits, reverseBitsInPlace } from './tables.js';
export {
  type BitOrder,
  CodecError,
  type CodecErrorCode,
  type Coding,
  type DecodeEnd,
  type DecodeOptions,
  type DecodeResult,
  type EncodeOptions,
} from './types.js';
