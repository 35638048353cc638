export * from './codec/index.js';
export * from './containers/index.js';
export * from './export/index.js';
export * from './page.js';
// The renderer's error classes without the renderer (PDFium, sharp load only with ./render):
// so a caller can tell a bad document from a fault by class before it loads the renderer.
export {
  DocumentError,
  type DocumentProblem,
  RenderError,
  type RenderLimit,
  RenderLimitError,
  RenderWorkerError,
  SandboxUnavailableError,
  UnsupportedDocumentError,
} from './render/errors.js';
