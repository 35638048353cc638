/**
 * The received SFF as an AsyncIterable: plug `push` into `AcceptDecision.onData` and `end`
 * into `onResult`. `push` resolves once the consumer is no more than `highWater` chunks
 * behind, so a slow consumer delays the DATA_B3_RESPs and with them the sender (back-pressure
 * through CAPI flow control) instead of buffering without bound.
 */
export interface ChunkStream extends AsyncIterable<Uint8Array> {
  push(chunk: Uint8Array): Promise<void>;
  /** No more chunks; with `err`, the iteration throws it after the buffered chunks. */
  end(err?: Error): void;
}

export function createChunkStream(highWater = 7): ChunkStream {
  const queue: Uint8Array[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wakeConsumer: (() => void) | undefined;
  const producers: (() => void)[] = [];

  const wake = () => {
    const w = wakeConsumer;
    wakeConsumer = undefined;
    w?.();
  };
  const release = () => {
    while (producers.length && queue.length <= highWater) producers.shift()!();
  };

  return {
    push(chunk) {
      if (ended) return Promise.reject(new Error('chunk stream already ended'));
      queue.push(chunk);
      wake();
      if (queue.length <= highWater) return Promise.resolve();
      return new Promise<void>((resolve) => producers.push(resolve));
    },
    end(err) {
      if (ended) return;
      ended = true;
      failure = err;
      wake();
      while (producers.length) producers.shift()!();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queue.length) {
          const c = queue.shift()!;
          release();
          yield c;
          continue;
        }
        if (ended) {
          if (failure) throw failure;
          return;
        }
        await new Promise<void>((resolve) => {
          wakeConsumer = resolve;
        });
      }
    },
  };
}
