// @faxgate/fax-core/render: documents (PDF, PNG, JPEG, TIFF, UTF-8 text) → bilevel fax
// pages with header line and cover page, in a sandboxed pool of worker processes.
export { DEFAULT_COVER_TEMPLATE, renderCover } from './cover.js';
export { detectType, type SourceType } from './detect.js';
export {
  DocumentError,
  type DocumentProblem,
  RenderError,
  type RenderLimit,
  RenderLimitError,
  RenderWorkerError,
  SandboxUnavailableError,
  UnsupportedDocumentError,
} from './errors.js';
export {
  checkRenderSandbox,
  createRenderPool,
  type RenderPool,
  type RenderPoolOptions,
  type RenderPoolStats,
} from './pool.js';
export { type SandboxInfo, type SandboxMode, type SandboxOptions, UNSANDBOXED_WARNING } from './sandbox.js';
export { expandFields, formatHeaderLine, strftime } from './tagline.js';
export * from './types.js';
