// Fax pages for people: PNG to look at, PDF to print or archive.
export { type FaxPdfOptions, writeFaxPdf } from './pdf.js';
export { writePng } from './png.js';
