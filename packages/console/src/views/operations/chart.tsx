// Faxes per hour over the last 24 h: stacked bars (sent, received, failed) drawn as inline
// SVG by Preact — no chart library, no inline styles (the CSP allows only our stylesheet;
// colours come from classes). Screen readers get the summary (role="img" + aria-label) and
// the figures as a visually hidden table.
import type { Lang, Translate } from '../../i18n.js';
import { hourLabel, num } from './format.js';
import type { HourBucket } from './types.js';

const W = 1000;
const H = 200;
const PAD_LEFT = 36;
const PAD_BOTTOM = 22;
const SERIES = ['sent', 'received', 'failed'] as const;

export function PerHourChart({ t, lang, hours }: { t: Translate; lang: Lang; hours: HourBucket[] }) {
  const totals = hours.map((h) => h.sent + h.received + h.failed);
  const max = Math.max(1, ...totals);
  const sum = (k: (typeof SERIES)[number]) => hours.reduce((n, h) => n + h[k], 0);
  const busiest = hours[totals.indexOf(Math.max(...totals))];
  const summary = t('ops.chart.summary', {
    sent: num(lang, sum('sent')),
    received: num(lang, sum('received')),
    failed: num(lang, sum('failed')),
    peak: busiest && Math.max(...totals) > 0 ? hourLabel(lang, busiest.hour) : '—',
  });
  const bw = (W - PAD_LEFT) / Math.max(1, hours.length);
  const y = (v: number) => ((H - PAD_BOTTOM) * v) / max;
  return (
    <figure class="ops-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={summary}
        preserveAspectRatio="xMidYMid meet"
        focusable="false"
      >
        <title>{summary}</title>
        <line class="ops-axis" x1={PAD_LEFT} y1={H - PAD_BOTTOM} x2={W} y2={H - PAD_BOTTOM} />
        <text class="ops-tick" x={PAD_LEFT - 4} y={12} text-anchor="end">
          {num(lang, max)}
        </text>
        <text class="ops-tick" x={PAD_LEFT - 4} y={H - PAD_BOTTOM} text-anchor="end">
          0
        </text>
        {hours.map((h, i) => {
          let base = H - PAD_BOTTOM;
          const x = PAD_LEFT + i * bw + 2;
          return (
            <g key={h.hour}>
              {SERIES.map((k) => {
                const hgt = y(h[k]);
                base -= hgt;
                return hgt > 0 ? (
                  <rect class={`ops-bar ops-bar-${k}`} x={x} y={base} width={bw - 4} height={hgt} />
                ) : null;
              })}
              {i % 3 === 0 && (
                <text class="ops-tick" x={x + (bw - 4) / 2} y={H - 6} text-anchor="middle">
                  {hourLabel(lang, h.hour)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul class="ops-legend" aria-hidden="true">
          {SERIES.map((k) => (
            <li>
              <span class={`ops-swatch ops-bar-${k}`} /> {t(`ops.chart.${k}`)}
            </li>
          ))}
        </ul>
      </figcaption>
      <table class="sr-only">
        <caption>{t('ops.chart.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('ops.chart.hour')}</th>
            {SERIES.map((k) => (
              <th scope="col">{t(`ops.chart.${k}`)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {hours.map((h) => (
            <tr>
              <th scope="row">{hourLabel(lang, h.hour)}</th>
              {SERIES.map((k) => (
                <td>{num(lang, h[k])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
