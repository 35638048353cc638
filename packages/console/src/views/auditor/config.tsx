// /auditor/config: the configuration history (GET /config/versions) and the differences
// between two versions (GET /config/diff): the changed keys as a table (before/after) and the
// unified text diff with added and removed lines marked (by class and by their +/- sign).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatTime } from '../../i18n.js';
import { Failure, type PageProps, query, Scroll, useLoad } from './kit.js';

interface Version {
  version: number;
  node: string;
  author: string;
  authorKind: string;
  createdAt: string;
  comment: string;
  reason?: string;
}

interface Diff {
  from: Version;
  to: Version;
  changes: Array<{ path: string; from?: unknown; to?: unknown }>;
  text: string;
}

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function lineClass(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return 'diff-file';
  if (line.startsWith('@@')) return 'diff-hunk';
  if (line.startsWith('+')) return 'diff-add';
  if (line.startsWith('-')) return 'diff-del';
  return undefined;
}

export function ConfigPage({ t, lang }: PageProps) {
  const { data, error } = useLoad<{ versions: Version[] }>('/config/versions?limit=200');
  const versions = data?.versions ?? [];
  const [pick, setPick] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const [diff, setDiff] = useState<Diff | null>(null);
  const [diffError, setDiffError] = useState<string | null>(null);
  // Defaults: the newest version against the one before it.
  const from = pick.from || String(versions[1]?.version ?? '');
  const to = pick.to || String(versions[0]?.version ?? '');

  const compare = async (e: Event) => {
    e.preventDefault();
    setDiffError(null);
    try {
      setDiff(await api<Diff>(`/config/diff${query({ from, to })}`));
    } catch (err) {
      setDiffError((err as Error).message);
    }
  };
  const select = (key: 'from' | 'to', label: string, value: string) => (
    <>
      <label for={`config-${key}`}>{label}</label>
      <select
        id={`config-${key}`}
        value={value}
        onChange={(e) => setPick({ from, to, [key]: (e.target as HTMLSelectElement).value })}
      >
        {versions.map((v) => (
          <option value={String(v.version)}>
            {v.version} — {formatTime(lang, v.createdAt)} — {v.author}
          </option>
        ))}
      </select>
    </>
  );

  return (
    <>
      <Failure t={t} message={error} />
      {versions.length >= 2 && (
        <form class="auditor-form" aria-labelledby="config-compare" onSubmit={compare}>
          <h3 id="config-compare">{t('auditor.config.compare')}</h3>
          <div class="auditor-fields">
            {select('from', t('auditor.config.fromVersion'), from)}
            {select('to', t('auditor.config.toVersion'), to)}
          </div>
          <button type="submit">{t('auditor.config.show')}</button>
        </form>
      )}
      <Failure t={t} message={diffError} />
      {diff && (
        <section aria-labelledby="config-changes" data-diff>
          <h3 id="config-changes">{t('auditor.config.changes')}</h3>
          {diff.changes.length === 0 ? (
            <p>{t('auditor.config.noChanges')}</p>
          ) : (
            <Scroll
              label={t('auditor.config.changesCaption', {
                from: String(diff.from.version),
                to: String(diff.to.version),
              })}
            >
              <table>
                <caption>
                  {t('auditor.config.changesCaption', {
                    from: String(diff.from.version),
                    to: String(diff.to.version),
                  })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('auditor.col.what')}</th>
                    <th scope="col">{t('auditor.config.before')}</th>
                    <th scope="col">{t('auditor.config.after')}</th>
                  </tr>
                </thead>
                <tbody>
                  {diff.changes.map((c) => (
                    <tr>
                      <th scope="row">{c.path}</th>
                      <td class="diff-del">{show(c.from)}</td>
                      <td class="diff-add">{show(c.to)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )}
          {diff.text && (
            <>
              <h4 id="config-text">{t('auditor.config.text')}</h4>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
              <section class="auditor-diff" aria-labelledby="config-text" tabIndex={0}>
                <pre>
                  {diff.text.split('\n').map((line) => (
                    <span class={lineClass(line)}>{`${line}\n`}</span>
                  ))}
                </pre>
              </section>
            </>
          )}
        </section>
      )}
      <Scroll label={t('auditor.config.caption')}>
        <table>
          <caption>{t('auditor.config.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('auditor.col.version')}</th>
              <th scope="col">{t('auditor.col.time')}</th>
              <th scope="col">{t('auditor.col.node')}</th>
              <th scope="col">{t('auditor.col.author')}</th>
              <th scope="col">{t('auditor.col.comment')}</th>
              <th scope="col">{t('auditor.col.reason2')}</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr data-version={v.version}>
                <td>{v.version}</td>
                <td>{formatTime(lang, v.createdAt)}</td>
                <td>{v.node}</td>
                <td>
                  {v.author} ({v.authorKind})
                </td>
                <td>{v.comment}</td>
                <td>{v.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
    </>
  );
}
