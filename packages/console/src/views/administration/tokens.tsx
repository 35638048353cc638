// API tokens: my own or a user's (user.manage and the target-role rule): the valid ones
// (the API leaves revoked tokens out), a new token — its secret shown once, here, and
// never again — and revoking one (asks first).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatTime } from '../../i18n.js';
import { ConfirmButton, Hidden, LoadError, Outcome, type PageProps, useAction, useLoad } from './kit.js';
import type { Credential, User } from './types.js';

export function TokensPage({ t, lang, actions }: PageProps) {
  const users = useLoad<User[]>(t, actions.includes('user.list') ? '/users' : null);
  const [owner, setOwner] = useState(''); // '' = my own
  const tokens = useLoad<Credential[]>(t, owner ? `/tokens?user=${encodeURIComponent(owner)}` : '/tokens');
  const action = useAction(t);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const ownerLabel = owner || t('admin.tokens.mine');

  const create = async (e: Event) => {
    e.preventDefault();
    setSecret(null);
    const body = {
      name: name.trim(),
      ...(owner ? { user: owner } : {}),
      ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
    };
    await action.run(
      async () => {
        const r = await api<{ token: string }>('/tokens', { method: 'POST', json: body });
        setSecret({ name: body.name, token: r.token });
        setName('');
        setExpires('');
      },
      t('admin.tokens.created', { name: body.name }),
      tokens.reload,
    );
  };

  return (
    <section aria-labelledby="admin-tokens">
      <h2 id="admin-tokens">{t('admin.page.tokens')}</h2>
      <div class="admin-field admin-inline">
        <label for="admin-tokens-tokenOwner">{t('admin.field.tokenOwner')}</label>
        <select
          id="admin-tokens-tokenOwner"
          value={owner}
          onChange={(e) => {
            setOwner((e.target as HTMLSelectElement).value);
            setSecret(null);
          }}
        >
          <option value="">{t('admin.tokens.mine')}</option>
          {users.data?.map((u) => (
            <option value={u.name}>{u.name}</option>
          ))}
        </select>
      </div>
      <LoadError error={tokens.error} />
      <Outcome action={action} />
      {secret && (
        <div class="admin-secret">
          <label>
            {t('admin.tokens.secret', { name: secret.name })}
            <input readOnly value={secret.token} size={Math.min(secret.token.length, 70)} />
          </label>
          <p>{t('admin.tokens.secretOnce')}</p>
        </div>
      )}
      {tokens.data && (
        <div class="scroll">
          <table>
            <caption>{t('admin.tokens.caption', { owner: ownerLabel })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.col.name')}</th>
                <th scope="col">{t('admin.col.created')}</th>
                <th scope="col">{t('admin.col.expires')}</th>
                <th scope="col">{t('admin.col.lastUsed')}</th>
                <th scope="col">{t('admin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.length === 0 && (
                <tr>
                  <td colSpan={5}>{t('admin.tokens.none')}</td>
                </tr>
              )}
              {tokens.data.map((c) => (
                <tr data-token={c.id}>
                  <th scope="row">{c.name}</th>
                  <td>{formatTime(lang, c.createdAt)}</td>
                  <td>{c.expiresAt ? formatTime(lang, c.expiresAt) : t('admin.tokens.never')}</td>
                  <td>{formatTime(lang, c.lastUsedAt)}</td>
                  <td>
                    {c.revokedAt === null && (
                      <ConfirmButton
                        t={t}
                        label={
                          <>
                            {t('admin.tokens.revoke')}
                            <Hidden> {c.name}</Hidden>
                          </>
                        }
                        question={t('admin.tokens.revokeQuestion', { name: c.name })}
                        yes={t('admin.tokens.revokeYes')}
                        disabled={action.busy}
                        onConfirm={() =>
                          void action.run(
                            () => api(`/tokens/${c.id}`, { method: 'DELETE' }),
                            t('admin.tokens.revoked', { name: c.name }),
                            tokens.reload,
                          )
                        }
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="admin-form" aria-labelledby="admin-token-add" onSubmit={create}>
        <h3 id="admin-token-add">{t('admin.tokens.add', { owner: ownerLabel })}</h3>
        <label>
          {t('admin.field.tokenName')}
          <input
            required
            maxLength={128}
            value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('admin.field.expires')}
          <input
            type="datetime-local"
            value={expires}
            onInput={(e) => setExpires((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('admin.tokens.addSubmit')}
        </button>
      </form>
    </section>
  );
}
