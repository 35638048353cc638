// The messages between the gateway and its fax decode threads (fax-decoder.ts ↔
// fax-decode-worker.ts): one file in, its pages out (pixel buffers transferred, not copied).
import type { ContainerLimits, PageQuality, VerticalResolution } from '@faxgate/fax-core';

export interface DecodeRequest {
  id: number;
  data: Uint8Array;
  /** Convert every page to this resolution in the thread (undefined: keep each page's). */
  resolution?: VerticalResolution;
  limits: Partial<ContainerLimits>;
}

export interface WirePage {
  width: number;
  height: number;
  resolution: VerticalResolution;
  data: Uint8Array;
  /** Only for a page with bad rows (repaired or missing): how many and where of the file's `rows`. */
  quality?: PageQuality & { rows: number };
}

export type DecodeReply =
  | { id: number; ok: true; pages: WirePage[] }
  | {
      id: number;
      ok: false;
      /** `input`: the reader refused the file (told by class in the thread), else a fault. */
      error: { name: string; message: string; input: boolean; format?: string; code?: string };
    };
