// Small formatting helpers of the dashboard: ages and numbers in the user's language.
import type { Lang } from '../../i18n.js';

/** How long ago `iso` was, relative to `now`: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function age(iso: string, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function num(lang: Lang, n: number, digits = 0): string {
  return new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    maximumFractionDigits: digits,
  }).format(n);
}

/** The hour of a bucket in the user's zone ("14:00"). */
export function hourLabel(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}
