// The faxes list (read-only): the listing API for both directions, kept current by the
// gateway's event stream — a change patches its row; a fax not in the list yet, a
// reconnect or a resync re-reads the list. No timer asks the server anything.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type Fax, type FaxRow } from '../../api.js';
import { formatTime, type Lang, type Translate } from '../../i18n.js';
import { Denied } from '../common/denied.js';
import { useView } from '../common/use-view.js';

const LIMIT = 200;

async function loadRows(): Promise<FaxRow[]> {
  const [out, inc] = await Promise.all(
    (['out', 'in'] as const).map((d) =>
      api<{ items: FaxRow[] }>(`/listing/faxes?direction=${d}&limit=${LIMIT}`),
    ),
  );
  return [...out.items, ...inc.items].sort((a, b) => b.fax.id - a.fax.id);
}

export function FaxesView({ t, lang }: { t: Translate; lang: Lang }) {
  const state = useView('faxes');
  const [rows, setRows] = useState<FaxRow[] | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = state.kind === 'open';

  // One read at a time: events during a read ask for one more read after it, not one each.
  const reading = useRef<'idle' | 'reading' | 'again'>('idle');
  const reload = useCallback(() => {
    if (reading.current !== 'idle') {
      reading.current = 'again';
      return;
    }
    reading.current = 'reading';
    loadRows()
      .then(setRows, (e: Error) => setError(e.message))
      .finally(() => {
        const again = reading.current === 'again';
        reading.current = 'idle';
        if (again) reload();
      });
  }, []);

  useEffect(() => {
    if (!open) return;
    const source = new EventSource('/api/v1/console/events');
    source.addEventListener('ready', () => {
      setLive(true);
      reload();
    });
    source.addEventListener('resync', reload);
    source.addEventListener('fax', (e) => {
      const fax = (JSON.parse((e as MessageEvent).data) as { fax: Fax }).fax;
      setRows((prev) => {
        if (!prev?.some((r) => r.fax.id === fax.id)) {
          reload();
          return prev;
        }
        return prev.map((r) => (r.fax.id === fax.id ? { ...r, fax: { ...r.fax, ...fax } } : r));
      });
    });
    source.onerror = () => setLive(false);
    return () => source.close();
  }, [open, reload]);

  if (state.kind === 'loading') return <p>{t('loading')}</p>;
  if (state.kind === 'denied') return <Denied t={t} />;
  if (state.kind === 'error') return <p role="alert">{t('error.generic', { message: state.message })}</p>;
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">{t('view.faxes')}</h1>
      <p class="live" role="status">
        {live ? t('faxes.live') : t('faxes.offline')}
      </p>
      {error && <p role="alert">{t('error.generic', { message: error })}</p>}
      {rows === null ? (
        <p>{t('loading')}</p>
      ) : rows.length === 0 ? (
        <p>{t('faxes.none')}</p>
      ) : (
        <div class="scroll">
          <table>
            <caption>{t('faxes.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('col.id')}</th>
                <th scope="col">{t('col.direction')}</th>
                <th scope="col">{t('col.state')}</th>
                <th scope="col">{t('col.number')}</th>
                <th scope="col">{t('col.mailbox')}</th>
                <th scope="col">{t('col.owner')}</th>
                <th scope="col">{t('col.pages')}</th>
                <th scope="col">{t('col.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ fax, owner, mailbox }) => (
                <tr data-fax={fax.id}>
                  <td>{fax.id}</td>
                  <td>{t(fax.direction === 'in' ? 'dir.in' : 'dir.out')}</td>
                  <td data-state={fax.state}>{fax.state}</td>
                  <td>{fax.remoteNumber ?? ''}</td>
                  <td>{mailbox ?? ''}</td>
                  <td>{owner ?? ''}</td>
                  <td>
                    {fax.direction === 'out' ? `${fax.pagesDone}/${fax.pagesTotal}` : String(fax.pagesTotal)}
                  </td>
                  <td>{formatTime(lang, fax.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
