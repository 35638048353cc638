// /auditor/trail: the chain and checkpoint status (GET /console/auditor/integrity) and the
// audit trail with filters (GET /audit/trail, newest first, paged by `before`), with the
// exports an auditor verifies offline (GET /audit/events, /audit/checkpoints).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatTime, type Lang, type Translate } from '../../i18n.js';
import {
  Download,
  Failure,
  isoOf,
  type PageProps,
  type Period,
  PeriodFields,
  query,
  Scroll,
  useLoad,
} from './kit.js';

interface Integrity {
  head: { seq: number; unsealed: number };
  verifyIntervalMinutes: number;
  stale: boolean;
  lastVerify: null | {
    time: string;
    actor: string;
    ok: boolean;
    checked: number | null;
    firstBad: null | { seq: number; kind: string; message: string };
  };
  checkpoints: {
    dir: string;
    exists: boolean;
    count: number;
    matched: number;
    ok: boolean;
    latestSeq: number | null;
    latestAt: string | null;
    failedCount: number;
    failed: Array<{ source: string; status: string; message: string }>;
    error: string | null;
  };
}

interface TrailEvent {
  id: number;
  seq: number | null;
  time: string;
  type: string;
  actor: string;
  subject: string | null;
  faxId: number | null;
  details: Record<string, unknown>;
}

function IntegrityStatus({ t, lang }: { t: Translate; lang: Lang }) {
  const { data, error } = useLoad<Integrity>('/console/auditor/integrity');
  const v = data?.lastVerify;
  const cp = data?.checkpoints;
  return (
    <section aria-labelledby="auditor-integrity" class="auditor-panel">
      <h3 id="auditor-integrity">{t('auditor.integrity')}</h3>
      <Failure t={t} message={error} />
      {data && (
        <ul class="auditor-status">
          <li>
            {t('auditor.integrity.head', {
              seq: String(data.head.seq),
              unsealed: String(data.head.unsealed),
            })}
          </li>
          <li
            data-verify={v ? (v.ok ? 'ok' : 'failed') : 'none'}
            class={v && !v.ok ? 'auditor-bad' : undefined}
          >
            <strong>{t('auditor.integrity.lastVerify')}: </strong>
            {!v
              ? t('auditor.integrity.never')
              : v.ok
                ? t('auditor.integrity.ok', {
                    checked: String(v.checked ?? 0),
                    time: formatTime(lang, v.time),
                    actor: v.actor,
                  })
                : t('auditor.integrity.bad', {
                    time: formatTime(lang, v.time),
                    actor: v.actor,
                    message: v.firstBad?.message ?? '',
                  })}
            {data.stale &&
              ` ${t('auditor.integrity.stale', { minutes: String(data.verifyIntervalMinutes) })}`}
          </li>
          {cp && (
            <li
              data-checkpoints={cp.ok ? 'ok' : 'failed'}
              class={cp.exists && !cp.ok ? 'auditor-bad' : undefined}
            >
              <strong>{t('auditor.integrity.checkpoints')}: </strong>
              {!cp.exists
                ? t('auditor.integrity.noCheckpoints', { dir: cp.dir })
                : cp.error
                  ? t('auditor.integrity.cpError', { message: cp.error })
                  : cp.ok
                    ? t('auditor.integrity.cpOk', {
                        matched: String(cp.matched),
                        count: String(cp.count),
                        seq: String(cp.latestSeq ?? ''),
                        time: formatTime(lang, cp.latestAt),
                      })
                    : t('auditor.integrity.cpBad', {
                        failed: String(cp.failedCount),
                        count: String(cp.count),
                      })}
              {cp.failed.length > 0 && (
                <ul>
                  {cp.failed.map((f) => (
                    <li>
                      {f.status}: {f.message}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

interface Filters extends Period {
  type: string;
  actor: string;
  fax: string;
}

const EMPTY: Filters = { from: '', to: '', type: '', actor: '', fax: '' };

function trailQuery(f: Filters, before?: number): string {
  return query({
    from: isoOf(f.from),
    to: isoOf(f.to),
    type: f.type.trim(),
    actor: f.actor.trim(),
    fax: f.fax.trim(),
    before,
    limit: 100,
  });
}

export function TrailPage({ t, lang }: PageProps) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [events, setEvents] = useState<TrailEvent[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const read = (f: Filters, before?: number) => {
    setError(null);
    api<{ items: TrailEvent[]; next: number | null }>(`/audit/trail${trailQuery(f, before)}`).then(
      (r) => {
        setEvents((prev) => (before === undefined ? r.items : [...(prev ?? []), ...r.items]));
        setNext(r.next);
      },
      (e: Error) => setError(e.message),
    );
  };
  useEffect(() => read(filters), [filters]);

  const field = (key: 'type' | 'actor' | 'fax', label: string, inputMode?: 'numeric') => (
    <>
      <label for={`trail-${key}`}>{label}</label>
      <input
        id={`trail-${key}`}
        inputMode={inputMode}
        value={draft[key]}
        onInput={(e) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value })}
      />
    </>
  );
  const range = { from: isoOf(filters.from), to: isoOf(filters.to) };

  return (
    <>
      <IntegrityStatus t={t} lang={lang} />
      <form
        class="auditor-form"
        aria-labelledby="trail-filter"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <h3 id="trail-filter">{t('auditor.filter')}</h3>
        <div class="auditor-fields">
          {field('type', t('auditor.filter.type'))}
          {field('actor', t('auditor.filter.actor'))}
          {field('fax', t('auditor.filter.fax'), 'numeric')}
          <PeriodFields t={t} id="trail" value={draft} onChange={(p) => setDraft({ ...draft, ...p })} />
        </div>
        <button type="submit">{t('auditor.apply')}</button>
      </form>
      <p class="auditor-links">
        <span>{t('auditor.downloads')}: </span>
        <Download
          path={`/audit/events${query({ format: 'jsonl', ...range })}`}
          label={`${t('auditor.trail.export')} (JSONL)`}
        />
        <Download
          path={`/audit/events${query({ format: 'csv', ...range })}`}
          label={`${t('auditor.trail.export')} (CSV)`}
        />
        <Download path="/audit/checkpoints" label={t('auditor.trail.checkpoints')} />
      </p>
      <Failure t={t} message={error} />
      {events !== null && events.length === 0 && <p>{t('auditor.none')}</p>}
      {events !== null && events.length > 0 && (
        <Scroll label={t('auditor.trail.caption')}>
          <table>
            <caption>{t('auditor.trail.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('auditor.col.id')}</th>
                <th scope="col">{t('auditor.col.seq')}</th>
                <th scope="col">{t('auditor.col.time')}</th>
                <th scope="col">{t('auditor.col.type')}</th>
                <th scope="col">{t('auditor.col.actor')}</th>
                <th scope="col">{t('auditor.col.subject')}</th>
                <th scope="col">{t('auditor.col.fax')}</th>
                <th scope="col">{t('auditor.col.details')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr data-event={e.id}>
                  <td>{e.id}</td>
                  <td>{e.seq ?? ''}</td>
                  <td>{formatTime(lang, e.time)}</td>
                  <td>{e.type}</td>
                  <td>{e.actor}</td>
                  <td>{e.subject ?? ''}</td>
                  <td>{e.faxId ?? ''}</td>
                  <td class="auditor-details">{JSON.stringify(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      {next !== null && (
        <button type="button" onClick={() => read(filters, next)}>
          {t('auditor.trail.more')}
        </button>
      )}
    </>
  );
}
