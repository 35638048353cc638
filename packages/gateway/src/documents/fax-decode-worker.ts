// A fax decode thread: reads one fax file (TIFF, SFF, PBM) into pages, off the gateway's main
// thread, so a slow or large decode never stalls the event loop (/health, other requests).
// Pages go back with their pixel buffers transferred; errors go back as name + message, and
// whether the file was refused (a reader's error class) or something failed.
import { parentPort } from 'node:worker_threads';
import {
  type BilevelPage,
  CodecError,
  ContainerError,
  convertResolution,
  PageError,
  readFaxDocument,
} from '@faxgate/fax-core';
import type { DecodeReply, DecodeRequest, WirePage } from './fax-decode-protocol.js';

const port = parentPort;
if (!port) throw new Error('fax-decode-worker runs as a worker thread only');

port.on('message', (req: DecodeRequest) => {
  let reply: DecodeReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const pages: WirePage[] = readFaxDocument(req.data, { limits: req.limits }).pages.map(
      ({ page, quality }) => {
        const p: BilevelPage = req.resolution ? convertResolution(page, req.resolution) : page;
        // A page may be a view into a larger decoder buffer: send exactly its bytes.
        const own =
          p.data.byteOffset === 0 &&
          p.data.byteLength === p.data.buffer.byteLength &&
          p.data.buffer instanceof ArrayBuffer &&
          !transfer.includes(p.data.buffer);
        const data = own ? p.data : p.data.slice();
        transfer.push(data.buffer as ArrayBuffer);
        const wire: WirePage = { width: p.width, height: p.height, resolution: p.resolution, data };
        if (quality.badLines > 0) wire.quality = { ...quality, rows: page.height };
        return wire;
      },
    );
    reply = { id: req.id, ok: true, pages };
  } catch (e) {
    const err = e as Error;
    transfer.length = 0;
    reply = {
      id: req.id,
      ok: false,
      error: {
        name: err?.name ?? 'Error',
        message: err?.message ?? String(e),
        input: e instanceof ContainerError || e instanceof CodecError || e instanceof PageError,
        ...(e instanceof ContainerError ? { format: e.format, code: e.code } : {}),
      },
    };
  }
  port.postMessage(reply, transfer);
});
