// Small pieces the auditor's pages share: reading an endpoint, a period (from/to in the
// user's zone, sent as ISO instants), query strings and download links.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { API, api } from '../../api.js';
import type { Lang, Translate } from '../../i18n.js';

export interface PageProps {
  t: Translate;
  lang: Lang;
  actions: readonly string[];
}

export type Load<T> = { data: T | null; error: string | null; reload: () => void };

/** GETs `path` (again when it changes); null skips. */
export function useLoad<T>(path: string | null): Load<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [turn, setTurn] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setError(null);
    api<T>(path).then(
      (d) => live && setData(d),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [path, turn]);
  const reload = useCallback(() => setTurn((n) => n + 1), []);
  return { data, error, reload };
}

/** A query string of the values given (empty ones left out), with its leading '?'. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A datetime-local value (the browser's zone) as an ISO instant; '' stays ''. */
export function isoOf(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** An instant as a datetime-local value in the browser's zone (minutes). */
export function localOf(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export interface Period {
  from: string;
  to: string;
}

/** Two datetime-local fields, labelled, ids prefixed so a page may hold several. */
export function PeriodFields({
  t,
  id,
  value,
  onChange,
  required = false,
}: {
  t: Translate;
  id: string;
  value: Period;
  onChange: (p: Period) => void;
  required?: boolean;
}) {
  return (
    <>
      <label for={`${id}-from`}>{t('auditor.from')}</label>
      <input
        id={`${id}-from`}
        type="datetime-local"
        required={required}
        value={value.from}
        onInput={(e) => onChange({ ...value, from: (e.target as HTMLInputElement).value })}
      />
      <label for={`${id}-to`}>{t('auditor.to')}</label>
      <input
        id={`${id}-to`}
        type="datetime-local"
        required={required}
        value={value.to}
        onInput={(e) => onChange({ ...value, to: (e.target as HTMLInputElement).value })}
      />
    </>
  );
}

/** A link the browser downloads (same origin: the session cookie goes along). */
export function Download({ path, label }: { path: string; label: string }) {
  return (
    <a href={API + path} download>
      {label}
    </a>
  );
}

/** An error from the server, as an alert. */
export function Failure({ t, message }: { t: Translate; message: string | null }) {
  return message ? <p role="alert">{t('error.generic', { message })}</p> : null;
}

/**
 * A table's scrolling box: a wide table scrolls sideways, so the box takes the keyboard
 * focus (arrow keys scroll it) and is named after the table.
 */
export function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section class="scroll" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
