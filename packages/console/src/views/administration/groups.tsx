// Groups and their members: the list, a new group, adding or removing a member (removal
// asks first). Groups carry mailbox rights, never roles; a member change is an action on
// that member, so the server applies the target-role rule.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ConfirmButton, LoadError, Outcome, type PageProps, seg, useAction, useLoad } from './kit.js';
import type { Group, User } from './types.js';

export function GroupsPage({ t, actions }: PageProps) {
  const groups = useLoad<Group[]>(t, '/groups');
  const users = useLoad<User[]>(t, actions.includes('user.list') ? '/users' : null);
  const action = useAction(t);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [group, setGroup] = useState('');
  const [member, setMember] = useState('');
  const chosenGroup = group || groups.data?.[0]?.name || '';
  const chosenUser = member || users.data?.[0]?.name || '';
  const memberPath = `/groups/${seg(chosenGroup)}/members/${seg(chosenUser)}`;

  return (
    <section aria-labelledby="admin-groups">
      <h2 id="admin-groups">{t('admin.page.groups')}</h2>
      <LoadError error={groups.error} />
      <Outcome action={action} />
      {groups.data && (
        <div class="scroll">
          <table>
            <caption>{t('admin.groups.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.col.name')}</th>
                <th scope="col">{t('admin.col.description')}</th>
                <th scope="col">{t('admin.col.members')}</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.map((g) => (
                <tr data-group={g.name}>
                  <th scope="row">{g.name}</th>
                  <td>{g.description}</td>
                  <td>{g.members.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {actions.includes('group.member') && groups.data && groups.data.length > 0 && users.data && (
        <form class="admin-form" aria-labelledby="admin-group-member" onSubmit={(e) => e.preventDefault()}>
          <h3 id="admin-group-member">{t('admin.groups.members')}</h3>
          <div class="admin-field">
            <label for="admin-groups-group">{t('admin.field.group')}</label>
            <select
              id="admin-groups-group"
              value={chosenGroup}
              onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}
            >
              {groups.data.map((g) => (
                <option value={g.name}>{g.name}</option>
              ))}
            </select>
          </div>
          <div class="admin-field">
            <label for="admin-groups-user">{t('admin.field.user')}</label>
            <select
              id="admin-groups-user"
              value={chosenUser}
              onChange={(e) => setMember((e.target as HTMLSelectElement).value)}
            >
              {users.data.map((u) => (
                <option value={u.name}>{u.name}</option>
              ))}
            </select>
          </div>
          <div class="admin-buttons">
            <button
              type="button"
              disabled={action.busy}
              onClick={() =>
                void action.run(
                  () => api(memberPath, { method: 'PUT' }),
                  t('admin.groups.memberAdded', { user: chosenUser, group: chosenGroup }),
                  groups.reload,
                )
              }
            >
              {t('admin.groups.addMember')}
            </button>
            <ConfirmButton
              t={t}
              label={t('admin.groups.removeMember')}
              question={t('admin.groups.removeQuestion', { user: chosenUser, group: chosenGroup })}
              yes={t('admin.groups.removeYes')}
              disabled={action.busy}
              onConfirm={() =>
                void action.run(
                  () => api(memberPath, { method: 'DELETE' }),
                  t('admin.groups.memberRemoved', { user: chosenUser, group: chosenGroup }),
                  groups.reload,
                )
              }
            />
          </div>
        </form>
      )}
      {actions.includes('group.create') && (
        <form
          class="admin-form"
          aria-labelledby="admin-group-add"
          onSubmit={async (e) => {
            e.preventDefault();
            const body = {
              name: name.trim(),
              ...(description.trim() ? { description: description.trim() } : {}),
            };
            const ok = await action.run(
              () => api('/groups', { method: 'POST', json: body }),
              t('admin.groups.added', { name: body.name }),
              groups.reload,
            );
            if (ok) {
              setName('');
              setDescription('');
            }
          }}
        >
          <h3 id="admin-group-add">{t('admin.groups.add')}</h3>
          <label>
            {t('admin.field.groupName')}
            <input
              required
              maxLength={64}
              value={name}
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            {t('admin.field.description')}
            <input
              maxLength={500}
              value={description}
              onInput={(e) => setDescription((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('admin.groups.addSubmit')}
          </button>
        </form>
      )}
    </section>
  );
}
