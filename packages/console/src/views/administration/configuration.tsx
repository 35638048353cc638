// The configuration: its versions (who, when, why) and one version's content and diff as
// the server gives them — secrets redacted there (config/history.ts) — and the export of
// every version. config.read; each read is itself an audit event on the server.
import { useState } from 'preact/hooks';
import { API } from '../../api.js';
import { formatTime } from '../../i18n.js';
import { Hidden, LoadError, type PageProps, useLoad } from './kit.js';
import type { ConfigVersion } from './types.js';

export function ConfigurationPage({ t, lang }: PageProps) {
  const versions = useLoad<{ versions: ConfigVersion[] }>(t, '/config/versions?limit=50');
  const [picked, setPicked] = useState<number | null>(null);
  const newest = versions.data?.versions[0]?.version ?? null;
  const chosen = picked ?? newest;
  const detail = useLoad<ConfigVersion>(t, chosen === null ? null : `/config/versions/${chosen}`);

  return (
    <section aria-labelledby="admin-configuration">
      <h2 id="admin-configuration">{t('admin.page.configuration')}</h2>
      <p>
        <a href={`${API}/config/export`} download="faxgate-config-export.json">
          {t('admin.config.export')}
        </a>
      </p>
      <LoadError error={versions.error ?? detail.error} />
      {versions.data && versions.data.versions.length === 0 && <p>{t('admin.config.none')}</p>}
      {versions.data && versions.data.versions.length > 0 && (
        <div class="scroll">
          <table>
            <caption>{t('admin.config.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.col.version')}</th>
                <th scope="col">{t('admin.col.node')}</th>
                <th scope="col">{t('admin.col.author')}</th>
                <th scope="col">{t('admin.col.time')}</th>
                <th scope="col">{t('admin.col.reason')}</th>
                <th scope="col">{t('admin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.versions.map((v) => (
                <tr data-version={v.version}>
                  <th scope="row">{v.version}</th>
                  <td>{v.node}</td>
                  <td>{`${v.author} (${t(`admin.config.kind.${v.authorKind}`)})`}</td>
                  <td>{formatTime(lang, v.createdAt)}</td>
                  <td>{v.reason || v.comment}</td>
                  <td>
                    <button
                      type="button"
                      aria-pressed={chosen === v.version}
                      onClick={() => setPicked(v.version)}
                    >
                      {t('admin.config.show')}
                      <Hidden> {t('admin.config.versionN', { version: String(v.version) })}</Hidden>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {detail.data && (
        <section aria-labelledby="admin-config-content">
          <h3 id="admin-config-content">
            {t('admin.config.contentOf', { version: String(detail.data.version), node: detail.data.node })}
          </h3>
          <pre class="admin-pre" data-config-content>
            {detail.data.content}
          </pre>
          {detail.data.diff && (
            <>
              <h4 id="admin-config-diff">{t('admin.config.diff')}</h4>
              <pre class="admin-pre">{detail.data.diff}</pre>
            </>
          )}
        </section>
      )}
    </section>
  );
}
