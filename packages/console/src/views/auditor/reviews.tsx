// /auditor/reviews: mark a period as reviewed (POST /audit/reviews — append-only, an
// audit.review event), the recorded reviews and whether one is overdue (GET /audit/reviews),
// and the review report of a period (GET /audit/review-report as tables, CSV and HTML links).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatTime, type Lang, type Translate } from '../../i18n.js';
import {
  Download,
  Failure,
  isoOf,
  localOf,
  type PageProps,
  type Period,
  PeriodFields,
  query,
  Scroll,
  useLoad,
} from './kit.js';

interface Review {
  id: number;
  from: string;
  to: string;
  note: string;
  reviewer: string;
  createdAt: string;
}

interface Reviews {
  intervalDays: number;
  overdue: boolean;
  dueAt: string | null;
  reviews: Review[];
}

interface Report {
  pseudonymised: boolean;
  traffic: Array<{
    mailbox: string;
    direction: string;
    faxes: number;
    pages: number;
    done: number;
    failed: number;
  }>;
  failures: Array<{ direction: string; cause: string; count: number }>;
  rejections: Array<{ time: string; rule: string; reason: string }>;
  rejectionCount: number;
  deniedAccesses: Array<{ time: string; actor: string; what: string; permission: string }>;
  deniedCount: number;
  configChanges: Array<{ time: string; actor: string; subject: string; node: string; comment: string }>;
  truncated: string[];
}

/** The last seven days up to now (to the minute; `upTo` rounds up, so what just happened is in). */
function lastWeek(upTo = false): Period {
  const now = new Date();
  const end = upTo ? new Date(Math.ceil(now.getTime() / 60_000) * 60_000) : now;
  return { from: localOf(new Date(end.getTime() - 7 * 86_400_000)), to: localOf(end) };
}

function Table({
  caption,
  heads,
  rows,
}: {
  caption: string;
  heads: string[];
  rows: Array<Array<string | number>>;
}) {
  return (
    <Scroll label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {heads.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              {r.map((c) => (
                <td>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

function ReportTables({ t, lang, report }: { t: Translate; lang: Lang; report: Report }) {
  const time = (iso: string) => formatTime(lang, iso);
  const none = <p>{t('auditor.none')}</p>;
  return (
    <div class="auditor-report" data-report>
      {report.pseudonymised && <p>{t('auditor.report.pseudonymised')}</p>}
      {report.truncated.length > 0 && (
        <p>{t('auditor.report.truncated', { what: report.truncated.join(', ') })}</p>
      )}
      {report.traffic.length === 0 ? (
        <>
          <h4>{t('auditor.report.traffic')}</h4>
          {none}
        </>
      ) : (
        <Table
          caption={t('auditor.report.traffic')}
          heads={['mailbox', 'direction', 'faxes', 'pages', 'done', 'failed'].map((k) =>
            t(`auditor.col.${k}` as 'auditor.col.mailbox'),
          )}
          rows={report.traffic.map((r) => [r.mailbox, r.direction, r.faxes, r.pages, r.done, r.failed])}
        />
      )}
      {report.failures.length > 0 && (
        <Table
          caption={t('auditor.report.failures')}
          heads={[t('auditor.col.direction'), t('auditor.col.cause'), t('auditor.col.count')]}
          rows={report.failures.map((r) => [r.direction, r.cause, r.count])}
        />
      )}
      {report.deniedAccesses.length > 0 && (
        <Table
          caption={t('auditor.report.denied', { count: String(report.deniedCount) })}
          heads={[
            t('auditor.col.time'),
            t('auditor.col.actor'),
            t('auditor.col.what'),
            t('auditor.col.permission'),
          ]}
          rows={report.deniedAccesses.map((r) => [time(r.time), r.actor, r.what, r.permission])}
        />
      )}
      {report.rejections.length > 0 && (
        <Table
          caption={t('auditor.report.rejections', { count: String(report.rejectionCount) })}
          heads={[t('auditor.col.time'), t('auditor.col.rule'), t('auditor.col.reason')]}
          rows={report.rejections.map((r) => [time(r.time), r.rule, r.reason])}
        />
      )}
      {report.configChanges.length > 0 && (
        <Table
          caption={t('auditor.report.configChanges')}
          heads={[
            t('auditor.col.time'),
            t('auditor.col.actor'),
            t('auditor.col.node'),
            t('auditor.col.comment'),
          ]}
          rows={report.configChanges.map((r) => [time(r.time), r.actor, r.node, r.comment])}
        />
      )}
    </div>
  );
}

export function ReviewsPage({ t, lang, actions }: PageProps) {
  const list = useLoad<Reviews>('/audit/reviews?limit=50');
  const [mark, setMark] = useState<Period>(() => lastWeek());
  const [note, setNote] = useState('');
  const [recorded, setRecorded] = useState<number | null>(null);
  const [markError, setMarkError] = useState<string | null>(null);
  const [period, setPeriod] = useState<Period>(() => lastWeek(true));
  const [report, setReport] = useState<Report | null>(null);
  const [reportError, setReportError] = useState<string | null>(null);
  const range = { from: isoOf(period.from), to: isoOf(period.to) };

  const submit = async (e: Event) => {
    e.preventDefault();
    setMarkError(null);
    setRecorded(null);
    try {
      const r = await api<Review>('/audit/reviews', {
        method: 'POST',
        json: { from: isoOf(mark.from), to: isoOf(mark.to), note },
      });
      setRecorded(r.id);
      setNote('');
      list.reload();
    } catch (err) {
      setMarkError((err as Error).message);
    }
  };
  const showReport = async (e: Event) => {
    e.preventDefault();
    setReportError(null);
    try {
      setReport(await api<Report>(`/audit/review-report${query(range)}`));
    } catch (err) {
      setReportError((err as Error).message);
    }
  };

  const d = list.data;
  return (
    <>
      {d && (
        <p role="status" class={d.overdue ? 'auditor-bad' : undefined}>
          {d.overdue
            ? t('auditor.reviews.overdue', { days: String(d.intervalDays), time: formatTime(lang, d.dueAt) })
            : d.dueAt
              ? t('auditor.reviews.due', { days: String(d.intervalDays), time: formatTime(lang, d.dueAt) })
              : ''}
        </p>
      )}
      {actions.includes('audit.read') && (
        <form class="auditor-form" aria-labelledby="review-mark" onSubmit={submit}>
          <h3 id="review-mark">{t('auditor.reviews.mark')}</h3>
          <div class="auditor-fields">
            <PeriodFields t={t} id="mark" value={mark} onChange={setMark} required />
            <label for="mark-note">{t('auditor.reviews.note')}</label>
            <textarea
              id="mark-note"
              required
              maxLength={4000}
              rows={3}
              value={note}
              onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <button type="submit">{t('auditor.reviews.submit')}</button>
          {recorded !== null && (
            <p role="status">{t('auditor.reviews.recorded', { id: String(recorded) })}</p>
          )}
          <Failure t={t} message={markError} />
        </form>
      )}
      <h3 id="review-list">{t('auditor.reviews.list')}</h3>
      <Failure t={t} message={list.error} />
      {d && d.reviews.length === 0 && <p>{t('auditor.none')}</p>}
      {d && d.reviews.length > 0 && (
        <Scroll label={t('auditor.reviews.caption')}>
          <table aria-describedby="review-list">
            <caption>{t('auditor.reviews.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('auditor.col.id')}</th>
                <th scope="col">{t('auditor.col.period')}</th>
                <th scope="col">{t('auditor.reviews.reviewer')}</th>
                <th scope="col">{t('auditor.reviews.recordedAt')}</th>
                <th scope="col">{t('auditor.col.note')}</th>
              </tr>
            </thead>
            <tbody>
              {d.reviews.map((r) => (
                <tr data-review={r.id}>
                  <td>{r.id}</td>
                  <td>
                    {formatTime(lang, r.from)} – {formatTime(lang, r.to)}
                  </td>
                  <td>{r.reviewer}</td>
                  <td>{formatTime(lang, r.createdAt)}</td>
                  <td class="auditor-note">{r.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <form class="auditor-form" aria-labelledby="review-report" onSubmit={showReport}>
        <h3 id="review-report">{t('auditor.report')}</h3>
        <div class="auditor-fields">
          <PeriodFields t={t} id="report" value={period} onChange={setPeriod} required />
        </div>
        <button type="submit">{t('auditor.report.show')}</button>
      </form>
      <p class="auditor-links">
        <Download
          path={`/audit/review-report${query({ ...range, format: 'html' })}`}
          label={t('auditor.report.html')}
        />
        <Download
          path={`/audit/review-report${query({ ...range, format: 'csv' })}`}
          label={t('auditor.report.csv')}
        />
      </p>
      <Failure t={t} message={reportError} />
      {report && <ReportTables t={t} lang={lang} report={report} />}
    </>
  );
}
