// All faxes the user may see, with filters (direction, state, mailbox, number, time range —
// GET /listing/faxes narrows on the server), kept current by the event stream: a change
// patches its row; a fax not in the list yet, a reconnect or a resync re-reads the list.
import { useCallback, useState } from 'preact/hooks';
import { api, type Fax, type FaxRow } from '../../api.js';
import { formatTime, type Key } from '../../i18n.js';
import { direction, isoOf, Link, type PageProps, pagesText, Scroll } from './kit.js';
import { useFaxStream, useSingleRead } from './live.js';

const LIMIT = 200;
/** The states a filter offers (store model FAX_STATES). */
export const STATES = [
  'rendering',
  'suspended',
  'pending',
  'sleeping',
  'blocked',
  'waiting',
  'running',
  'done',
  'failed',
  'rejected',
  'receiving',
  'received',
  'delivered',
  'deleted',
] as const;

interface Filter {
  direction: '' | 'in' | 'out';
  state: string;
  mailbox: string;
  number: string;
  from: string;
  to: string;
}
const NO_FILTER: Filter = { direction: '', state: '', mailbox: '', number: '', from: '', to: '' };

async function loadRows(f: Filter): Promise<FaxRow[]> {
  const dirs = f.direction ? [f.direction] : (['out', 'in'] as const);
  const lists = await Promise.all(
    dirs.map((d) => {
      const q = new URLSearchParams({ direction: d, limit: String(LIMIT) });
      if (f.state) q.set('state', f.state);
      if (f.mailbox.trim()) q.set('mailbox', f.mailbox.trim());
      if (f.number.trim()) q.set('number', f.number.trim());
      const from = isoOf(f.from);
      const to = isoOf(f.to);
      if (from) q.set('from', from);
      if (to) q.set('to', to);
      return api<{ items: FaxRow[] }>(`/listing/faxes?${q}`);
    }),
  );
  return lists.flatMap((l) => l.items).sort((a, b) => b.fax.id - a.fax.id);
}

export function FaxList({ t, lang }: PageProps) {
  const [rows, setRows] = useState<FaxRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Filter>(NO_FILTER);
  const [filter, setFilter] = useState<Filter>(NO_FILTER);

  const reload = useSingleRead(() =>
    loadRows(filter).then(
      (r) => {
        setRows(r);
        setError(null);
      },
      (e: Error) => setError(e.message),
    ),
  );
  const onFax = useCallback(
    (fax: Fax) =>
      setRows((prev) => {
        if (!prev?.some((r) => r.fax.id === fax.id)) {
          reload();
          return prev;
        }
        return prev.map((r) => (r.fax.id === fax.id ? { ...r, fax: { ...r.fax, ...fax } } : r));
      }),
    [reload],
  );
  const live = useFaxStream(true, { reread: reload, fax: onFax });

  const apply = (f: Filter) => {
    setFilter(f);
    setDraft(f);
    // the read after the state change sees the new filter
    setTimeout(reload, 0);
  };
  const field = (k: keyof Filter) => ({
    value: draft[k],
    onInput: (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value }),
  });

  return (
    <>
      <p class="live" role="status">
        {live ? t('faxes.live') : t('faxes.offline')}
      </p>
      <form
        class="fx-filter"
        aria-label={t('faxes.filter')}
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label>
          {t('faxes.filter.direction')}
          <select {...field('direction')}>
            <option value="">{t('faxes.filter.both')}</option>
            <option value="out">{t('faxes.outgoing')}</option>
            <option value="in">{t('faxes.incoming')}</option>
          </select>
        </label>
        <label>
          {t('faxes.filter.state')}
          <select {...field('state')}>
            <option value="">{t('faxes.filter.anyState')}</option>
            {STATES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          {t('faxes.filter.mailbox')}
          <input type="text" maxLength={64} {...field('mailbox')} />
        </label>
        <label>
          {t('faxes.filter.number')}
          <input type="search" inputMode="tel" maxLength={40} {...field('number')} />
        </label>
        <label>
          {t('faxes.filter.from')}
          <input type="datetime-local" {...field('from')} />
        </label>
        <label>
          {t('faxes.filter.to')}
          <input type="datetime-local" {...field('to')} />
        </label>
        <div class="fx-buttons">
          <button type="submit">{t('faxes.filter.apply')}</button>
          <button type="button" onClick={() => apply(NO_FILTER)}>
            {t('faxes.filter.reset')}
          </button>
        </div>
      </form>
      {error && <p role="alert">{t('error.generic', { message: error })}</p>}
      {rows === null ? (
        <p>{t('loading')}</p>
      ) : rows.length === 0 ? (
        <p>{t('faxes.none')}</p>
      ) : (
        <Scroll label={t('faxes.caption')}>
          <table>
            <caption>{t('faxes.caption')}</caption>
            <thead>
              <tr>
                {(
                  [
                    'col.id',
                    'col.direction',
                    'col.state',
                    'col.number',
                    'col.mailbox',
                    'col.owner',
                    'col.pages',
                    'col.updated',
                  ] as Key[]
                ).map((k) => (
                  <th scope="col">{t(k)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(({ fax, owner, mailbox }) => (
                <tr data-fax={fax.id}>
                  <td>
                    <Link href={`/faxes/${fax.id}`} label={t('faxes.open', { id: String(fax.id) })}>
                      {fax.id}
                    </Link>
                  </td>
                  <td>{direction(t, fax)}</td>
                  <td data-state={fax.state}>{fax.state}</td>
                  <td>{fax.remoteNumber ?? ''}</td>
                  <td>{mailbox ?? ''}</td>
                  <td>{owner ?? ''}</td>
                  <td>{pagesText(fax)}</td>
                  <td>{formatTime(lang, fax.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  );
}
