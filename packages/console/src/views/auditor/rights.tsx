// /auditor/rights: the rights review (GET /rights/review) — every right on every mailbox and
// every capability, with the user and what it comes through; a search narrows the table in
// the page; the CSV is the full review as a download.
import { useState } from 'preact/hooks';
import { Download, Failure, type PageProps, Scroll, useLoad } from './kit.js';

interface RightRow {
  mailbox: string;
  right: string;
  user: string;
  via: 'user' | 'group' | 'role';
  group: string | null;
  role: string | null;
  effective: boolean;
  note: string | null;
}

export function RightsPage({ t }: PageProps) {
  const { data, error } = useLoad<{ items: RightRow[] }>('/rights/review');
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const rows = (data?.items ?? []).filter(
    (r) =>
      !needle ||
      [r.user, r.mailbox, r.right, r.group ?? '', r.role ?? ''].some((v) => v.toLowerCase().includes(needle)),
  );
  return (
    <>
      <p class="auditor-links">
        <Download path="/rights/review?format=csv" label={t('auditor.rights.csv')} />
      </p>
      <div class="auditor-fields">
        <label for="rights-search">{t('auditor.rights.search')}</label>
        <input
          id="rights-search"
          type="search"
          value={search}
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
        />
      </div>
      <Failure t={t} message={error} />
      {data && (
        <>
          <p role="status">
            {t('auditor.rights.count', { shown: String(rows.length), total: String(data.items.length) })}
          </p>
          <Scroll label={t('auditor.rights.caption')}>
            <table>
              <caption>{t('auditor.rights.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('auditor.col.user')}</th>
                  <th scope="col">{t('auditor.col.mailbox')}</th>
                  <th scope="col">{t('auditor.col.right')}</th>
                  <th scope="col">{t('auditor.col.via')}</th>
                  <th scope="col">{t('auditor.col.effective')}</th>
                  <th scope="col">{t('auditor.col.note')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td>{r.user}</td>
                    <td>{r.mailbox}</td>
                    <td>{r.right}</td>
                    <td>
                      {r.via === 'group' ? `group ${r.group}` : r.via === 'role' ? `role ${r.role}` : r.via}
                    </td>
                    <td>{r.effective ? t('auditor.yes') : t('auditor.no')}</td>
                    <td>{r.note ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        </>
      )}
    </>
  );
}
