// The Operations view (issue 18): the queue by state and its faxes with the operator's
// actions, every controller and B channel live, failures by cause and faxes per hour over
// 24 h, disk and health checks. Opening it asks the server first (403 = not allowed,
// audited); the data is GET /console/operations, kept live by the gateway's event streams.
import { useState } from 'preact/hooks';
import type { Lang, Translate } from '../../i18n.js';
import { Denied } from '../common/denied.js';
import { useView } from '../common/use-view.js';
import { Channels } from './channels.js';
import { PerHourChart } from './chart.js';
import { FailedFaxes } from './failed.js';
import { Failures } from './failures.js';
import { HealthPanel } from './health.js';
import { QueueCounts, QueueList } from './queue.js';
import { useOperations } from './use-operations.js';
import './operations.css';

export interface OperationsProps {
  t: Translate;
  lang: Lang;
  /** The path below /operations ('' for the view itself). */
  sub: string;
  /** What the server lets the user do (GET /console/views). */
  actions: readonly string[];
}

export function OperationsView({ t, lang, actions }: OperationsProps) {
  const state = useView('operations');
  const ops = useOperations(state.kind === 'open');
  const [notice, setNotice] = useState<{ message: string | null; error: string | null }>({
    message: null,
    error: null,
  });
  const onDone = (message: string | null, error: string | null) => {
    setNotice({ message, error });
    ops.reload();
  };

  if (state.kind === 'loading') return <p>{t('loading')}</p>;
  if (state.kind === 'denied') return <Denied t={t} />;
  if (state.kind === 'error') return <p role="alert">{t('error.generic', { message: state.message })}</p>;
  const d = ops.data;
  return (
    <section aria-labelledby="view-title" class="ops">
      <h1 id="view-title">{t('view.operations')}</h1>
      <p class="live" role="status">
        {ops.live ? t('ops.live') : t('ops.offline')}
      </p>
      <div aria-live="polite">{notice.message && <p class="ops-notice">{notice.message}</p>}</div>
      {notice.error && <p role="alert">{notice.error}</p>}
      {ops.error && <p role="alert">{t('error.generic', { message: ops.error })}</p>}
      {!d ? (
        <p>{t('loading')}</p>
      ) : (
        <div class="ops-grid">
          <QueueCounts t={t} lang={lang} data={d} />
          <Failures t={t} lang={lang} failures={d.failures} />
          {d.lines && <Channels t={t} lang={lang} lines={d.lines} faxes={d.faxes} />}
          <QueueList t={t} lang={lang} data={d} actions={actions} onDone={onDone} />
          <FailedFaxes t={t} lang={lang} failed={d.failed} actions={actions} onDone={onDone} />
          <section aria-labelledby="ops-chart-title" class="ops-card ops-wide">
            <h2 id="ops-chart-title">{t('ops.chart.title')}</h2>
            <PerHourChart t={t} lang={lang} hours={d.perHour} />
          </section>
          {d.health && <HealthPanel t={t} lang={lang} health={d.health} />}
        </div>
      )}
    </section>
  );
}
