// The latest failed outgoing faxes, each with a requeue (queue.manage), and a requeue by
// number for an older one.
import { formatTime, type Lang, type Translate } from '../../i18n.js';
import { RequeueButton, RequeueForm } from './actions.js';
import type { FailedFax } from './types.js';

export function FailedFaxes({
  t,
  lang,
  failed,
  actions,
  onDone,
}: {
  t: Translate;
  lang: Lang;
  failed: FailedFax[];
  actions: readonly string[];
  onDone: (message: string | null, error: string | null) => void;
}) {
  const manage = actions.includes('queue.manage');
  return (
    <section aria-labelledby="ops-failed-title" class="ops-card ops-wide">
      <h2 id="ops-failed-title">{t('ops.failed.title')}</h2>
      <RequeueForm t={t} actions={actions} onDone={onDone} />
      {failed.length === 0 ? (
        <p>{t('ops.failed.none')}</p>
      ) : (
        <div class="scroll">
          <table>
            <caption class="sr-only">{t('ops.failed.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ops.col.id')}</th>
                <th scope="col">{t('ops.col.number')}</th>
                <th scope="col">{t('ops.failures.cause')}</th>
                <th scope="col">{t('ops.failed.at')}</th>
                {manage && <th scope="col">{t('ops.col.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {failed.map((f) => (
                <tr data-failed={f.id}>
                  <th scope="row">{f.id}</th>
                  <td>{f.remoteNumber ?? ''}</td>
                  <td class="ops-wrap">{f.causeText ?? f.cause ?? ''}</td>
                  <td>{formatTime(lang, f.completedAt)}</td>
                  {manage && (
                    <td>
                      <RequeueButton t={t} id={f.id} onDone={onDone} />
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
