// Writing to a Node writable with backpressure. (CSV cells: csv.ts.)
import type { Writable } from 'node:stream';

export function writeChunk(out: Writable, chunk: string): Promise<void> | undefined {
  if (out.write(chunk)) return undefined;
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (err: Error) => done(err);
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}
