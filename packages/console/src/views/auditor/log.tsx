// /auditor/log: the send/receive log as downloads (GET /log?format=…&from=&to=&timeZone=),
// streamed by the gateway; the links carry the session cookie (same origin). The xferfaxlog
// date column is written in the browser's own zone.
import { useState } from 'preact/hooks';
import { Download, isoOf, type PageProps, type Period, PeriodFields, query } from './kit.js';

const FORMATS = [
  ['xferfaxlog', 'auditor.log.xferfaxlog'],
  ['xferfaxlog-19', 'auditor.log.xferfaxlog19'],
  ['csv', 'auditor.log.csv'],
  ['jsonl', 'auditor.log.jsonl'],
] as const;

export function LogPage({ t }: PageProps) {
  const [period, setPeriod] = useState<Period>({ from: '', to: '' });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const range = { from: isoOf(period.from), to: isoOf(period.to) };
  return (
    <>
      <p>{t('auditor.log.intro')}</p>
      <form class="auditor-form" aria-label={t('auditor.log')} onSubmit={(e) => e.preventDefault()}>
        <div class="auditor-fields">
          <PeriodFields t={t} id="log" value={period} onChange={setPeriod} />
        </div>
      </form>
      <h3 id="log-downloads">{t('auditor.downloads')}</h3>
      <ul aria-labelledby="log-downloads" class="auditor-downloads">
        {FORMATS.map(([format, label]) => (
          <li>
            <Download
              path={`/log${query({ format, ...range, timeZone: format.startsWith('xferfaxlog') ? zone : undefined })}`}
              label={t(label)}
            />
          </li>
        ))}
      </ul>
      <p>{t('auditor.log.zone', { zone })}</p>
    </>
  );
}
