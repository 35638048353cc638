// Recent failures (last 24 h) grouped by cause — the cause code the call or the policy
// recorded, with the latest text of that cause.
import { formatTime, type Lang, type Translate } from '../../i18n.js';
import { num } from './format.js';
import type { FailureCause } from './types.js';

export function Failures({ t, lang, failures }: { t: Translate; lang: Lang; failures: FailureCause[] }) {
  return (
    <section aria-labelledby="ops-failures-title" class="ops-card">
      <h2 id="ops-failures-title">{t('ops.failures.title')}</h2>
      {failures.length === 0 ? (
        <p>{t('ops.failures.none')}</p>
      ) : (
        <div class="scroll">
          <table>
            <caption class="sr-only">{t('ops.failures.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ops.failures.cause')}</th>
                <th scope="col">{t('ops.failures.direction')}</th>
                <th scope="col">{t('ops.failures.count')}</th>
                <th scope="col">{t('ops.failures.last')}</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((f) => (
                <tr data-cause={f.cause}>
                  <th scope="row" class="ops-wrap">
                    {f.cause}
                    {f.example && <div class="ops-muted">{f.example}</div>}
                  </th>
                  <td>{t(f.direction === 'in' ? 'ops.dir.in' : 'ops.dir.out')}</td>
                  <td>{num(lang, f.count)}</td>
                  <td>{formatTime(lang, f.lastAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
