// The dashboard's data, kept live by the gateway's own events: a fax's state change
// (/console/events, fed by PostgreSQL NOTIFY) re-reads the aggregates — one read at a time,
// changes during a read ask for one more after it; a line or B channel change
// (/console/operations/events, pushed by the daemon's process) replaces the lines at once.
// No timer asks the server anything.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import type { Lines, Operations } from './types.js';

export interface OperationsState {
  data: Operations | null;
  error: string | null;
  /** Both streams are connected. */
  live: boolean;
  reload: () => void;
}

export function useOperations(open: boolean): OperationsState {
  const [data, setData] = useState<Operations | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [faxLive, setFaxLive] = useState(false);
  const [linesLive, setLinesLive] = useState(false);
  // Lines pushed after the last read are newer than the read's: they win.
  const pushed = useRef<Lines | null>(null);

  const reading = useRef<'idle' | 'reading' | 'again'>('idle');
  const reload = useCallback(() => {
    if (reading.current !== 'idle') {
      reading.current = 'again';
      return;
    }
    reading.current = 'reading';
    pushed.current = null;
    api<Operations>('/console/operations')
      .then(
        (d) => {
          setError(null);
          setData(pushed.current && d.lines ? { ...d, lines: pushed.current } : d);
        },
        (e: Error) => setError(e.message),
      )
      .finally(() => {
        const again = reading.current === 'again';
        reading.current = 'idle';
        if (again) reload();
      });
  }, []);

  useEffect(() => {
    if (!open) return;
    const faxes = new EventSource('/api/v1/console/events');
    faxes.addEventListener('ready', () => {
      setFaxLive(true);
      reload();
    });
    faxes.addEventListener('resync', reload);
    faxes.addEventListener('fax', reload);
    faxes.onerror = () => setFaxLive(false);
    const lines = new EventSource('/api/v1/console/operations/events');
    lines.addEventListener('lines', (e) => {
      const l = JSON.parse((e as MessageEvent).data) as Lines;
      pushed.current = l;
      setLinesLive(true);
      setData((d) => (d ? { ...d, lines: l } : d));
    });
    lines.onerror = () => setLinesLive(false);
    return () => {
      faxes.close();
      lines.close();
    };
  }, [open, reload]);

  // Without line.read the server gives no lines and refuses their stream: the fax stream is all.
  return { data, error, live: faxLive && (linesLive || data?.lines === null), reload };
}
