// Pilot, selftest and release: the mode the gateway runs in now and the release that ended
// the pilot (GET /console/admin/pilot), this node's
// latest signed selftest (config.read), running a selftest and ending the pilot
// (config.manage; the server refuses a release without a passing selftest < 24 h or by
// the admin who last changed the configuration — four eyes — and says why).
import { useEffect, useState } from 'preact/hooks';
import { api, HttpError } from '../../api.js';
import { formatTime } from '../../i18n.js';
import { ConfirmButton, errorText, LoadError, Outcome, type PageProps, useAction, useLoad } from './kit.js';
import type { PilotState, Selftest } from './types.js';

export function PilotPage({ t, lang, actions }: PageProps) {
  const status = useLoad<PilotState>(t, '/console/admin/pilot');
  const action = useAction(t);
  const [round, setRound] = useState(0);
  const [selftest, setSelftest] = useState<Selftest | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const manage = actions.includes('config.manage');

  useEffect(() => {
    let live = true;
    api<Selftest>('/selftest/latest').then(
      (s) => live && setSelftest(s),
      (e) => {
        if (!live) return;
        if (e instanceof HttpError && e.status === 404) setSelftest(null);
        else setError(errorText(t, e));
      },
    );
    return () => {
      live = false;
    };
  }, [round, t]);
  const after = () => {
    setRound((r) => r + 1);
    status.reload();
  };

  return (
    <section aria-labelledby="admin-pilot">
      <h2 id="admin-pilot">{t('admin.page.pilot')}</h2>
      <LoadError error={status.error ?? error} />
      {status.data && (
        <p data-mode={status.data.mode}>
          {t(status.data.mode === 'pilot' ? 'admin.pilot.modePilot' : 'admin.pilot.modeProduction', {
            node: status.data.node,
          })}
        </p>
      )}
      {status.data?.release && (
        <p>
          {t('admin.pilot.releasedBy', {
            by: status.data.release.releasedBy,
            time: formatTime(lang, status.data.release.releasedAt),
            selftest: String(status.data.release.selftestId),
          })}
        </p>
      )}
      <Outcome action={action} />
      <h3>{t('admin.pilot.selftest')}</h3>
      {selftest === null && <p>{t('admin.pilot.noSelftest')}</p>}
      {selftest && (
        <div class="scroll">
          <table>
            <caption>
              {t(selftest.report.passed ? 'admin.pilot.passed' : 'admin.pilot.notPassed', {
                time: formatTime(lang, selftest.createdAt),
                actor: selftest.report.actor,
              })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.col.check')}</th>
                <th scope="col">{t('admin.col.status')}</th>
                <th scope="col">{t('admin.col.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {selftest.report.checks.map((c) => (
                <tr>
                  <th scope="row">{c.name}</th>
                  <td data-status={c.status}>{c.status}</td>
                  <td>{c.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {manage && (
        <div class="admin-form">
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              void action.run(
                () => api('/selftest', { method: 'POST' }),
                t('admin.pilot.selftestDone'),
                after,
              )
            }
          >
            {action.busy ? t('admin.pilot.running') : t('admin.pilot.runSelftest')}
          </button>
        </div>
      )}
      {manage && status.data?.mode === 'pilot' && (
        <form class="admin-form" aria-labelledby="admin-release" onSubmit={(e) => e.preventDefault()}>
          <h3 id="admin-release">{t('admin.pilot.release')}</h3>
          <p>{t('admin.pilot.releaseRule')}</p>
          <label>
            {t('admin.field.note')}
            <input
              maxLength={2000}
              value={note}
              onInput={(e) => setNote((e.target as HTMLInputElement).value)}
            />
          </label>
          <ConfirmButton
            t={t}
            label={t('admin.pilot.releaseButton')}
            question={t('admin.pilot.releaseQuestion')}
            yes={t('admin.pilot.releaseYes')}
            disabled={action.busy}
            onConfirm={() =>
              void action.run(
                () => api('/release', { method: 'POST', json: note.trim() ? { note: note.trim() } : {} }),
                t('admin.pilot.released'),
                after,
              )
            }
          />
        </form>
      )}
    </section>
  );
}
