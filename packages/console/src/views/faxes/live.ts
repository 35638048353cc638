// The gateway's fax event stream (GET /console/events, server-sent events fed by PostgreSQL
// NOTIFY): `ready` once the server listens (re-read then), `resync` (re-read), `fax` (a fax
// I may see changed). No timer asks the server anything; EventSource reconnects by itself.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Fax } from '../../api.js';

export interface FaxStreamHandlers {
  /** Connected (or reconnected): whatever the page shows may be stale, read it again. */
  reread(): void;
  fax(fax: Fax): void;
}

/** Follows the stream while `open`; answers whether it is connected. */
export function useFaxStream(open: boolean, handlers: FaxStreamHandlers): boolean {
  const [live, setLive] = useState(false);
  // The latest handlers, without reconnecting when they change.
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    if (!open) return;
    const source = new EventSource('/api/v1/console/events');
    source.addEventListener('ready', () => {
      setLive(true);
      current.current.reread();
    });
    source.addEventListener('resync', () => current.current.reread());
    source.addEventListener('fax', (e) => {
      current.current.fax((JSON.parse((e as MessageEvent).data) as { fax: Fax }).fax);
    });
    source.onerror = () => setLive(false);
    return () => source.close();
  }, [open]);
  return live;
}

/** One read at a time: calls during a read ask for one more read after it, not one each. */
export function useSingleRead(read: () => Promise<void>): () => void {
  const state = useRef<'idle' | 'reading' | 'again'>('idle');
  const fn = useRef(read);
  fn.current = read;
  const run = useRef<() => void>(() => {});
  run.current = () => {
    if (state.current !== 'idle') {
      state.current = 'again';
      return;
    }
    state.current = 'reading';
    fn.current().finally(() => {
      const again = state.current === 'again';
      state.current = 'idle';
      if (again) run.current();
    });
  };
  return useRef(() => run.current()).current;
}
