// One fax's page (/faxes/<id>): its details, its pages as thumbnails (PNG from the API; a
// click enlarges one), its history (audit events) and its send/receive log rows — followed
// live: an event about this fax re-reads it. A received fax opened here loses its unread
// mark (POST /console/faxes/:id/opened, in.read).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { API, api, type Fax } from '../../api.js';
import { formatTime } from '../../i18n.js';
import { direction, Link, type PageProps, pagesText, Scroll } from './kit.js';
import { useFaxStream, useSingleRead } from './live.js';
import type { FaxDetail, History, PageInfo } from './types.js';

interface Loaded {
  fax: FaxDetail;
  pages: PageInfo[];
  history: History;
}

export function FaxPage({ t, lang, id }: PageProps & { id: number }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [zoom, setZoom] = useState<number | null>(null);
  const marked = useRef(false);

  const reload = useSingleRead(async () => {
    try {
      const [fax, pages, history] = await Promise.all([
        api<FaxDetail>(`/faxes/${id}`),
        api<PageInfo[]>(`/faxes/${id}/pages`),
        api<History>(`/console/faxes/${id}/history`),
      ]);
      setData({ fax, pages, history });
      setError(null);
      if (fax.direction === 'in' && history.content && !marked.current) {
        marked.current = true;
        await api(`/console/faxes/${id}/opened`, { method: 'POST' });
      }
    } catch (e) {
      setError((e as Error).message);
    }
  });
  useEffect(() => {
    marked.current = false;
    setData(null);
    reload();
  }, [id, reload]);
  const onFax = useCallback((f: Fax) => f.id === id && reload(), [id, reload]);
  const live = useFaxStream(true, { reread: reload, fax: onFax });

  const title = t('fax.title', { id: String(id) });
  if (!data)
    return (
      <>
        <h2 class="fx-page-title">{title}</h2>
        {error ? <p role="alert">{t('error.generic', { message: error })}</p> : <p>{t('loading')}</p>}
      </>
    );
  const { fax, pages, history } = data;
  const png = (n: number) => `${API}/faxes/${id}/pages/${n}?format=png`;
  return (
    <>
      <h2 class="fx-page-title">{title}</h2>
      <p>
        <Link href="/faxes">{t('fax.back')}</Link>
      </p>
      <p class="live" role="status">
        {live ? t('faxes.live') : t('faxes.offline')}
      </p>
      {error && <p role="alert">{t('error.generic', { message: error })}</p>}
      <section aria-labelledby="fx-details">
        <h3 id="fx-details">{t('fax.details')}</h3>
        <dl class="fx-details">
          <dt>{t('col.state')}</dt>
          <dd data-state={fax.state}>{fax.state}</dd>
          <dt>{t('col.direction')}</dt>
          <dd>{direction(t, fax)}</dd>
          <dt>{t('col.number')}</dt>
          <dd>{fax.remoteNumber ?? ''}</dd>
          <dt>{t('fax.subject')}</dt>
          <dd>{fax.subject ?? ''}</dd>
          <dt>{t('col.pages')}</dt>
          <dd>{pagesText(fax)}</dd>
          <dt>{t('fax.tries')}</dt>
          <dd>
            {fax.tries} / {fax.dials}
          </dd>
          <dt>{t('fax.created')}</dt>
          <dd>{formatTime(lang, fax.createdAt)}</dd>
          <dt>{t('fax.completed')}</dt>
          <dd>{formatTime(lang, fax.completedAt)}</dd>
          {fax.causeText && (
            <>
              <dt>{t('fax.cause')}</dt>
              <dd>{fax.causeText}</dd>
            </>
          )}
        </dl>
      </section>
      <section aria-labelledby="fx-pages">
        <h3 id="fx-pages">{t('fax.pages')}</h3>
        {!history.content ? (
          <p>{t('fax.noContent')}</p>
        ) : pages.length === 0 ? (
          <p>{t('fax.noPages')}</p>
        ) : (
          <>
            <p>
              <a href={`${API}/faxes/${id}/document?format=pdf`} download={`fax-${id}.pdf`}>
                {t('fax.document')}
              </a>
            </p>
            <ul class="fx-thumbs">
              {pages.map((p) => (
                <li>
                  <button
                    type="button"
                    class="fx-thumb"
                    aria-label={t('fax.zoom', { n: String(p.pageNo) })}
                    onClick={() => setZoom(p.pageNo)}
                  >
                    <img src={png(p.pageNo)} alt={t('fax.page', { n: String(p.pageNo) })} loading="lazy" />
                  </button>
                </li>
              ))}
            </ul>
            {zoom !== null && (
              <figure class="fx-zoom" aria-label={t('fax.zoomed', { n: String(zoom) })}>
                <button type="button" onClick={() => setZoom(null)}>
                  {t('fax.close')}
                </button>
                <img src={png(zoom)} alt={t('fax.page', { n: String(zoom) })} />
              </figure>
            )}
          </>
        )}
      </section>
      <section aria-labelledby="fx-history">
        <h3 id="fx-history">{t('fax.history')}</h3>
        {history.events.length === 0 ? (
          <p>{t('fax.noHistory')}</p>
        ) : (
          <Scroll label={t('fax.historyCaption')}>
            <table>
              <caption>{t('fax.historyCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('col.time')}</th>
                  <th scope="col">{t('col.event')}</th>
                  <th scope="col">{t('col.actor')}</th>
                  <th scope="col">{t('col.details')}</th>
                </tr>
              </thead>
              <tbody>
                {history.events.map((e) => (
                  <tr data-event={e.type}>
                    <td>{formatTime(lang, e.time)}</td>
                    <td>{e.type}</td>
                    <td>{e.actor}</td>
                    <td class="fx-json">{Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        )}
      </section>
      <section aria-labelledby="fx-log">
        <h3 id="fx-log">{t('fax.log')}</h3>
        {history.log.length === 0 ? (
          <p>{t('fax.noLog')}</p>
        ) : (
          <Scroll label={t('fax.logCaption')}>
            <table>
              <caption>{t('fax.logCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('col.time')}</th>
                  <th scope="col">{t('col.type')}</th>
                  <th scope="col">{t('col.device')}</th>
                  <th scope="col">{t('col.remote')}</th>
                  <th scope="col">{t('col.pages')}</th>
                  <th scope="col">{t('col.duration')}</th>
                  <th scope="col">{t('col.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {history.log.map((l) => (
                  <tr data-log={l.type}>
                    <td>{formatTime(lang, l.time)}</td>
                    <td>{l.type}</td>
                    <td>{l.device}</td>
                    <td>{l.remote}</td>
                    <td>{l.pages}</td>
                    <td>{l.durationS}</td>
                    <td>{l.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        )}
      </section>
    </>
  );
}
