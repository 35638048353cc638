// /auditor/reports: the lockdown report read now (GET /lockdown/report; text as a download)
// and the compliance report (GET /compliance/report; the HTML page as a download).
import { formatTime } from '../../i18n.js';
import { Download, Failure, type PageProps, Scroll, useLoad } from './kit.js';

interface Lockdown {
  ok: boolean;
  mode: string;
  violations: string[];
  warnings: string[];
  controllers: Array<{ controller: number; manufacturer: string; bChannels: number; faxCapable: boolean }>;
  sockets: Array<{ protocol: string; address: string; port: number; allowed: boolean; command?: string }>;
}

interface Compliance {
  generatedAt: string;
  node: string;
  notMet: number;
  verdicts: Array<{ id: string; title: string; status: string; detail: string }>;
}

function LockdownReport({ t }: PageProps) {
  const { data: r, error } = useLoad<Lockdown>('/lockdown/report');
  return (
    <section aria-labelledby="lockdown-title" class="auditor-panel">
      <h3 id="lockdown-title">{t('auditor.lockdown')}</h3>
      <p class="auditor-links">
        <Download path="/lockdown/report?format=text" label={t('auditor.lockdown.text')} />
      </p>
      <Failure t={t} message={error} />
      {r && (
        <>
          <p data-lockdown={r.ok ? 'ok' : 'violated'} class={r.ok ? undefined : 'auditor-bad'}>
            {r.ok ? t('auditor.lockdown.ok') : t('auditor.lockdown.bad')}{' '}
            {t('auditor.lockdown.mode', { mode: r.mode })}
          </p>
          {r.violations.length > 0 && (
            <ul class="auditor-bad">
              {r.violations.map((v) => (
                <li>{v}</li>
              ))}
            </ul>
          )}
          {r.warnings.length > 0 && (
            <>
              <h4>{t('auditor.lockdown.warnings')}</h4>
              <ul>
                {r.warnings.map((w) => (
                  <li>{w}</li>
                ))}
              </ul>
            </>
          )}
          {r.controllers.length > 0 && (
            <Scroll label={t('auditor.lockdown.controllers')}>
              <table>
                <caption>{t('auditor.lockdown.controllers')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('auditor.col.controller')}</th>
                    <th scope="col">{t('auditor.col.what')}</th>
                    <th scope="col">B</th>
                    <th scope="col">{t('auditor.col.faxCapable')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.controllers.map((c) => (
                    <tr>
                      <td>{c.controller}</td>
                      <td>{c.manufacturer}</td>
                      <td>{c.bChannels}</td>
                      <td>{c.faxCapable ? t('auditor.yes') : t('auditor.no')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )}
          {r.sockets.length > 0 && (
            <Scroll label={t('auditor.lockdown.sockets')}>
              <table>
                <caption>{t('auditor.lockdown.sockets')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('auditor.col.address')}</th>
                    <th scope="col">{t('auditor.col.what')}</th>
                    <th scope="col">{t('auditor.col.allowed')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.sockets.map((s) => (
                    <tr class={s.allowed ? undefined : 'auditor-bad'}>
                      <td>
                        {s.protocol} {s.address}:{s.port}
                      </td>
                      <td>{s.command ?? ''}</td>
                      <td>{s.allowed ? t('auditor.yes') : t('auditor.no')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )}
        </>
      )}
    </section>
  );
}

function ComplianceReport({ t, lang }: PageProps) {
  const { data: r, error } = useLoad<Compliance>('/compliance/report');
  return (
    <section aria-labelledby="compliance-title" class="auditor-panel">
      <h3 id="compliance-title">{t('auditor.compliance')}</h3>
      <p class="auditor-links">
        <Download path="/compliance/report?format=html" label={t('auditor.compliance.html')} />
      </p>
      <Failure t={t} message={error} />
      {r && (
        <>
          <p class={r.notMet > 0 ? 'auditor-bad' : undefined}>
            {t('auditor.compliance.summary', {
              notMet: String(r.notMet),
              time: formatTime(lang, r.generatedAt),
              node: r.node,
            })}
          </p>
          <Scroll label={t('auditor.compliance.caption')}>
            <table>
              <caption>{t('auditor.compliance.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('auditor.col.requirement')}</th>
                  <th scope="col">{t('auditor.col.verdict')}</th>
                  <th scope="col">{t('auditor.col.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {r.verdicts.map((v) => (
                  <tr data-verdict={v.status}>
                    <th scope="row">
                      {v.id} {v.title}
                    </th>
                    <td class={v.status === 'not-met' ? 'auditor-bad' : undefined}>{v.status}</td>
                    <td class="auditor-note">{v.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        </>
      )}
    </section>
  );
}

export function ReportsPage(props: PageProps) {
  return (
    <>
      <LockdownReport {...props} />
      <ComplianceReport {...props} />
    </>
  );
}
