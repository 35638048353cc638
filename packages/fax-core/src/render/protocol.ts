// Messages between the render pool (gateway process) and a render worker process.
import type { WireError } from './errors.js';
import type { RenderLimits, RenderOptions, RenderResult } from './types.js';

export interface JobMessage {
  type: 'job';
  id: number;
  bytes: Uint8Array;
  options: RenderOptions;
  limits: RenderLimits;
  /** Ask to be replaced after this job when the resident set is above this many bytes. */
  recycleRssBytes: number;
}

/** Load what the first job would otherwise wait for (the header line's font) while idle. */
export interface WarmMessage {
  type: 'warm';
}

export type PoolMessage = JobMessage | WarmMessage;

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: RenderResult; recycle: boolean }
  | { type: 'fail'; id: number; error: WireError; recycle: boolean };
