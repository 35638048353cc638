// Disk space and the latest health checks (line.read; the server leaves them out otherwise).
import { formatTime, type Lang, type Translate } from '../../i18n.js';
import { num } from './format.js';
import type { Health } from './types.js';

export function HealthPanel({ t, lang, health }: { t: Translate; lang: Lang; health: Health }) {
  const d = health.disk;
  return (
    <section aria-labelledby="ops-health-title" class="ops-card ops-wide">
      <h2 id="ops-health-title">{t('ops.health.title')}</h2>
      {d ? (
        <>
          <p>
            {t('ops.disk.level')}{' '}
            <span class={`ops-state ops-disk-${d.level}`}>{t(`ops.disk.${d.level}` as 'ops.disk.ok')}</span>
          </p>
          {d.refusing && <p role="alert">{d.refusing}</p>}
          <ul class="ops-plain">
            {d.targets.map((x) => (
              <li>
                {x.name}:{' '}
                {x.error
                  ? t('ops.disk.unknown')
                  : x.name === 'database'
                    ? `${num(lang, (x.sizeBytes ?? 0) / 1024 / 1024)} MiB`
                    : t('ops.disk.free', { pct: num(lang, x.freePercent ?? 0) })}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>{t('ops.disk.none')}</p>
      )}
      {health.checks.length === 0 ? (
        <p>{t('ops.health.none')}</p>
      ) : (
        <div class="scroll">
          <table>
            <caption>{t('ops.health.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ops.health.check')}</th>
                <th scope="col">{t('ops.health.result')}</th>
                <th scope="col">{t('ops.health.at')}</th>
              </tr>
            </thead>
            <tbody>
              {health.checks.map((c) => (
                <tr>
                  <th scope="row">{c.name}</th>
                  <td class="ops-wrap">
                    <span class={`ops-state ${c.ok ? 'ops-ok' : 'ops-bad'}`}>
                      {c.ok ? t('ops.health.ok') : t('ops.health.failed')}
                    </span>{' '}
                    {c.detail}
                  </td>
                  <td>{formatTime(lang, c.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
