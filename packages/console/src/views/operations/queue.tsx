// The send queue: how many faxes wait or run in each state and for how long the oldest has,
// what finished in the last 24 h, and the queued faxes themselves with the operator's actions.
import type { Lang, Translate } from '../../i18n.js';
import { formatTime } from '../../i18n.js';
import { FaxActions } from './actions.js';
import { age, num } from './format.js';
import type { Operations } from './types.js';

type Done = (message: string | null, error: string | null) => void;

export function QueueCounts({ t, lang, data }: { t: Translate; lang: Lang; data: Operations }) {
  const now = new Date(data.now);
  const f = data.finished;
  return (
    <section aria-labelledby="ops-queue-title" class="ops-card">
      <h2 id="ops-queue-title">{t('ops.queue.title')}</h2>
      {data.queue.length === 0 ? (
        <p data-queue-empty>{t('ops.queue.empty')}</p>
      ) : (
        <table>
          <caption class="sr-only">{t('ops.queue.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('ops.queue.state')}</th>
              <th scope="col">{t('ops.queue.count')}</th>
              <th scope="col">{t('ops.queue.oldest')}</th>
            </tr>
          </thead>
          <tbody>
            {data.queue.map((q) => (
              <tr data-queue-state={q.state}>
                <th scope="row">{t(`ops.state.${q.state}` as 'ops.state.waiting')}</th>
                <td data-count>{num(lang, q.count)}</td>
                <td title={formatTime(lang, q.oldestAt)}>{age(q.oldestAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="ops-finished">
        {t('ops.finished', {
          sent: num(lang, f['out.done'] ?? 0),
          failed: num(lang, (f['out.failed'] ?? 0) + (f['out.rejected'] ?? 0)),
          received: num(lang, (f['in.received'] ?? 0) + (f['in.delivered'] ?? 0)),
        })}
      </p>
    </section>
  );
}

export function QueueList({
  t,
  lang,
  data,
  actions,
  onDone,
}: {
  t: Translate;
  lang: Lang;
  data: Operations;
  actions: readonly string[];
  onDone: Done;
}) {
  const now = new Date(data.now);
  const manage = actions.includes('queue.manage');
  return (
    <section aria-labelledby="ops-faxes-title" class="ops-card ops-wide">
      <h2 id="ops-faxes-title">{t('ops.faxes.title')}</h2>
      {data.faxes.length === 0 ? (
        <p>{t('ops.queue.empty')}</p>
      ) : (
        <div class="scroll">
          <table>
            <caption class="sr-only">{t('ops.faxes.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ops.col.id')}</th>
                <th scope="col">{t('ops.col.state')}</th>
                <th scope="col">{t('ops.col.number')}</th>
                <th scope="col">{t('ops.col.priority')}</th>
                <th scope="col">{t('ops.col.pages')}</th>
                <th scope="col">{t('ops.col.dials')}</th>
                <th scope="col">{t('ops.col.age')}</th>
                <th scope="col">{t('ops.col.status')}</th>
                {manage && <th scope="col">{t('ops.col.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {data.faxes.map((f) => (
                <tr data-fax={f.id} data-state={f.state}>
                  <th scope="row">{f.id}</th>
                  <td>{t(`ops.state.${f.state}` as 'ops.state.waiting')}</td>
                  <td>{f.remoteNumber ?? ''}</td>
                  <td>{f.priority}</td>
                  <td>{`${f.pagesDone}/${f.pagesTotal}`}</td>
                  <td>{f.dials}</td>
                  <td title={formatTime(lang, f.createdAt)}>{age(f.createdAt, now)}</td>
                  <td class="ops-wrap">
                    {f.notBefore && new Date(f.notBefore) > now
                      ? `${t('ops.sendAt', { at: formatTime(lang, f.notBefore) })} `
                      : ''}
                    {f.causeText ?? f.cause ?? ''}
                  </td>
                  {manage && (
                    <td>
                      <FaxActions
                        key={`${f.id}-${f.state}`}
                        t={t}
                        fax={f}
                        actions={actions}
                        onDone={onDone}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
