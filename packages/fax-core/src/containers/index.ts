// Fax containers: PBM, TIFF Class F, SFF. (Internal helpers stay in common.ts.)
export {
  ContainerError,
  type ContainerErrorCode,
  type ContainerFormat,
  type ContainerLimits,
  DEFAULT_LIMITS,
  type PageInput,
  type PageQuality,
} from './common.js';
export {
  detectFormat,
  type FaxDocument,
  type FaxDocumentPage,
  type FaxDocumentPageInfo,
  formatFromFileName,
  type ReadFaxDocumentOptions,
  readFaxDocument,
  type WriteFaxDocumentOptions,
  writeFaxDocument,
} from './document.js';
export {
  isPbm,
  type PbmDocument,
  type PbmImageInfo,
  type PbmReadOptions,
  type PbmWriteOptions,
  readPbm,
  writePbm,
} from './pbm.js';
export { type FaxFileScan, type ScanFaxFileOptions, type ScannedPage, scanFaxFile } from './scan.js';
export {
  encodeSffPageRecords,
  isSff,
  readSff,
  SFF_END,
  type SffDocument,
  type SffDocumentHeader,
  type SffPage,
  type SffPageInfo,
  type SffPageRecords,
  SffReader,
  type SffReaderOptions,
  type SffReaderPage,
  type SffRowCallback,
  type SffRows,
  type SffWriteOptions,
  SffWriter,
  type SffWriterOptions,
  sffChunks,
  sffChunksOfRecords,
  writeSff,
} from './sff.js';
export { sffRecordsFromCoded } from './sff-transcode.js';
export {
  type CodedTiffPage,
  defaultK,
  inspectTiff,
  isTiff,
  readTiff,
  readTiffPage,
  type TiffCoding,
  TiffCompression,
  type TiffDocument,
  type TiffPage,
  type TiffPageInfo,
  type TiffReadOptions,
  type TiffWriteOptions,
  validateTiffF,
  writeTiff,
  writeTiffStrips,
} from './tiff.js';
export {
  type ByteOrder,
  buildIfd,
  type Ifd,
  type IfdEntry,
  type IfdField,
  Tag as TiffTag,
  TiffFile,
  TiffType,
} from './tiff-structure.js';
export { type SffFromTiffsOptions, type SffFromTiffsResult, sffFromTiffs } from './tiff-to-sff.js';
