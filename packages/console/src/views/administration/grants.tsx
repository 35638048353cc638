// Grants: the rights on one mailbox (the API lists by mailbox, user or group), giving a
// right to a user or a group, taking one back (asks first). user.manage decides; a right
// for a single user also follows the target-role rule for that user.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatTime } from '../../i18n.js';
import { ConfirmButton, Hidden, LoadError, Outcome, type PageProps, seg, useAction, useLoad } from './kit.js';
import { type Grant, type Group, type Mailbox, RIGHT_NAMES, type User } from './types.js';

export function GrantsPage({ t, lang, actions }: PageProps) {
  const boxes = useLoad<Mailbox[]>(t, '/mailboxes');
  const users = useLoad<User[]>(t, actions.includes('user.list') ? '/users' : null);
  const groups = useLoad<Group[]>(t, actions.includes('group.list') ? '/groups' : null);
  const [box, setBox] = useState('');
  const mailbox = boxes.data?.find((m) => m.name === box) ?? boxes.data?.[0] ?? null;
  const grants = useLoad<Grant[]>(t, mailbox ? `/grants?mailbox=${seg(mailbox.name)}` : null);
  const action = useAction(t);
  const [holderKind, setHolderKind] = useState<'user' | 'group'>('user');
  const [holder, setHolder] = useState('');
  const [right, setRight] = useState('');
  const holders = (holderKind === 'user' ? users.data : groups.data)?.map((h) => h.name) ?? [];
  const chosenHolder = holders.includes(holder) ? holder : (holders[0] ?? '');
  const rights: readonly string[] = mailbox ? RIGHT_NAMES[mailbox.kind] : [];
  const chosenRight = rights.includes(right) ? right : (rights[0] ?? '');
  const canGrant = actions.includes(holderKind === 'user' ? 'grant.user' : 'grant.group');
  const canRevoke = actions.includes('grant.user') || actions.includes('grant.group');

  return (
    <section aria-labelledby="admin-grants">
      <h2 id="admin-grants">{t('admin.page.grants')}</h2>
      <LoadError error={boxes.error ?? grants.error} />
      <Outcome action={action} />
      {boxes.data && boxes.data.length === 0 && <p>{t('admin.grants.noMailboxes')}</p>}
      {mailbox && boxes.data && (
        <>
          <div class="admin-field admin-inline">
            <label for="admin-grants-mailbox">{t('admin.field.mailbox')}</label>
            <select
              id="admin-grants-mailbox"
              value={mailbox.name}
              onChange={(e) => setBox((e.target as HTMLSelectElement).value)}
            >
              {boxes.data.map((m) => (
                <option value={m.name}>{m.name}</option>
              ))}
            </select>
          </div>
          {grants.data && (
            <div class="scroll">
              <table>
                <caption>{t('admin.grants.caption', { mailbox: mailbox.name })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.col.holder')}</th>
                    <th scope="col">{t('admin.col.right')}</th>
                    <th scope="col">{t('admin.col.created')}</th>
                    {canRevoke && <th scope="col">{t('admin.col.actions')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {grants.data.length === 0 && (
                    <tr>
                      <td colSpan={canRevoke ? 4 : 3}>{t('admin.grants.none')}</td>
                    </tr>
                  )}
                  {grants.data.map((g) => {
                    const who = g.userName
                      ? t('admin.grants.user', { name: g.userName })
                      : t('admin.grants.group', { name: g.groupName ?? '' });
                    return (
                      <tr data-grant={g.id}>
                        <th scope="row">{who}</th>
                        <td>{g.right}</td>
                        <td>{formatTime(lang, g.createdAt)}</td>
                        {canRevoke && (
                          <td>
                            <ConfirmButton
                              t={t}
                              label={
                                <>
                                  {t('admin.grants.revoke')}
                                  <Hidden> {`${g.right} ${who}`}</Hidden>
                                </>
                              }
                              question={t('admin.grants.revokeQuestion', { right: g.right, holder: who })}
                              yes={t('admin.grants.revokeYes')}
                              disabled={action.busy}
                              onConfirm={() =>
                                void action.run(
                                  () => api(`/grants/${g.id}`, { method: 'DELETE' }),
                                  t('admin.grants.revoked', { right: g.right, holder: who }),
                                  grants.reload,
                                )
                              }
                            />
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          {(actions.includes('grant.user') || actions.includes('grant.group')) && (
            <form
              class="admin-form"
              aria-labelledby="admin-grant-add"
              onSubmit={(e) => {
                e.preventDefault();
                const body = { mailbox: mailbox.name, right: chosenRight, [holderKind]: chosenHolder };
                void action.run(
                  () => api('/grants', { method: 'POST', json: body }),
                  t('admin.grants.granted', {
                    right: chosenRight,
                    holder: chosenHolder,
                    mailbox: mailbox.name,
                  }),
                  grants.reload,
                );
              }}
            >
              <h3 id="admin-grant-add">{t('admin.grants.add', { mailbox: mailbox.name })}</h3>
              <div class="admin-field">
                <label for="admin-grants-holderKind">{t('admin.field.holderKind')}</label>
                <select
                  id="admin-grants-holderKind"
                  value={holderKind}
                  onChange={(e) => setHolderKind((e.target as HTMLSelectElement).value as 'user' | 'group')}
                >
                  <option value="user">{t('admin.holder.user')}</option>
                  <option value="group">{t('admin.holder.group')}</option>
                </select>
              </div>
              <div class="admin-field">
                <label for="admin-grants-holder">{t('admin.field.holder')}</label>
                <select
                  id="admin-grants-holder"
                  value={chosenHolder}
                  onChange={(e) => setHolder((e.target as HTMLSelectElement).value)}
                >
                  {holders.map((h) => (
                    <option value={h}>{h}</option>
                  ))}
                </select>
              </div>
              <div class="admin-field">
                <label for="admin-grants-right">{t('admin.field.right')}</label>
                <select
                  id="admin-grants-right"
                  value={chosenRight}
                  onChange={(e) => setRight((e.target as HTMLSelectElement).value)}
                >
                  {rights.map((r) => (
                    <option value={r}>{r}</option>
                  ))}
                </select>
              </div>
              <button type="submit" disabled={action.busy || !canGrant || chosenHolder === ''}>
                {t('admin.grants.addSubmit')}
              </button>
            </form>
          )}
        </>
      )}
    </section>
  );
}
