// Users: the list, adding one with its roles, and for the one chosen: its roles, a new
// password, disable or enable. Each control is shown by its directory operation; the
// server applies the target-role rule (a post office may not make admins) and says why.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatTime, type Translate } from '../../i18n.js';
import {
  type Action,
  ConfirmButton,
  Hidden,
  LoadError,
  Outcome,
  type PageProps,
  seg,
  useAction,
  useLoad,
} from './kit.js';
import { ROLE_NAMES, type User } from './types.js';

export function UsersPage({ t, lang, actions }: PageProps) {
  const users = useLoad<User[]>(t, '/users');
  const action = useAction(t);
  const [chosen, setChosen] = useState<string | null>(null);
  const user = users.data?.find((u) => u.name === chosen) ?? null;
  const manages = ['user.disable', 'user.password', 'role.assign', 'role.revoke'].some((a) =>
    actions.includes(a),
  );
  return (
    <section aria-labelledby="admin-users">
      <h2 id="admin-users">{t('admin.page.users')}</h2>
      <LoadError error={users.error} />
      <Outcome action={action} />
      {users.data && (
        <div class="scroll">
          <table>
            <caption>{t('admin.users.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.col.name')}</th>
                <th scope="col">{t('admin.col.displayName')}</th>
                <th scope="col">{t('admin.col.roles')}</th>
                <th scope="col">{t('admin.col.status')}</th>
                <th scope="col">{t('admin.col.created')}</th>
                {manages && <th scope="col">{t('admin.col.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr data-user={u.name}>
                  <th scope="row">{u.name}</th>
                  <td>{u.displayName}</td>
                  <td>{u.roles.join(', ')}</td>
                  <td>{u.disabled ? t('admin.users.disabled') : t('admin.users.active')}</td>
                  <td>{formatTime(lang, u.createdAt)}</td>
                  {manages && (
                    <td>
                      <button
                        type="button"
                        aria-pressed={chosen === u.name}
                        onClick={() => setChosen(u.name)}
                      >
                        {t('admin.manage')}
                        <Hidden> {u.name}</Hidden>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {user && manages && (
        <UserEditor
          key={user.name}
          t={t}
          user={user}
          actions={actions}
          action={action}
          reload={users.reload}
        />
      )}
      {actions.includes('user.create') && <AddUser t={t} action={action} reload={users.reload} />}
    </section>
  );
}

function RoleChoice(props: { t: Translate; legend: string; roles: string[]; set: (r: string[]) => void }) {
  return (
    <fieldset class="admin-roles">
      <legend>{props.legend}</legend>
      {ROLE_NAMES.map((r) => (
        <label>
          <input
            type="checkbox"
            checked={props.roles.includes(r)}
            onChange={(e) =>
              props.set(
                (e.target as HTMLInputElement).checked
                  ? [...props.roles, r]
                  : props.roles.filter((x) => x !== r),
              )
            }
          />{' '}
          {r}
        </label>
      ))}
    </fieldset>
  );
}

function AddUser({ t, action, reload }: { t: Translate; action: Action; reload: () => void }) {
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(['user']);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = {
      name: name.trim(),
      roles,
      ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
      ...(password ? { password } : {}),
    };
    const ok = await action.run(
      () => api('/users', { method: 'POST', json: body }),
      t('admin.users.added', { name: body.name }),
      reload,
    );
    if (ok) {
      setName('');
      setDisplayName('');
      setPassword('');
    }
  };
  return (
    <form class="admin-form" aria-labelledby="admin-user-add" onSubmit={submit}>
      <h3 id="admin-user-add">{t('admin.users.add')}</h3>
      <label>
        {t('admin.field.userName')}
        <input
          required
          maxLength={64}
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        {t('admin.field.displayName')}
        <input
          maxLength={200}
          value={displayName}
          onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        {t('admin.field.initialPassword')}
        <input
          type="password"
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
      </label>
      <RoleChoice t={t} legend={t('admin.field.roles')} roles={roles} set={setRoles} />
      <button type="submit" disabled={action.busy}>
        {t('admin.users.addSubmit')}
      </button>
    </form>
  );
}

function UserEditor(props: {
  t: Translate;
  user: User;
  actions: readonly string[];
  action: Action;
  reload: () => void;
}) {
  const { t, user, actions, action, reload } = props;
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [password, setPassword] = useState('');
  const patch = (body: Record<string, unknown>, done: string) =>
    action.run(() => api(`/users/${seg(user.name)}`, { method: 'PATCH', json: body }), done, reload);
  return (
    <section class="admin-editor" aria-labelledby="admin-user-edit">
      <h3 id="admin-user-edit">{t('admin.users.manageTitle', { name: user.name })}</h3>
      {(actions.includes('role.assign') || actions.includes('role.revoke')) && (
        <form
          class="admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            void patch({ roles }, t('admin.users.rolesChanged', { name: user.name }));
          }}
        >
          <RoleChoice
            t={t}
            legend={t('admin.users.rolesOf', { name: user.name })}
            roles={roles}
            set={setRoles}
          />
          <button type="submit" disabled={action.busy}>
            {t('admin.users.saveRoles')}
          </button>
        </form>
      )}
      {actions.includes('user.password') && (
        <form class="admin-form" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t('admin.users.newPassword', { name: user.name })}
            <input
              type="password"
              autoComplete="new-password"
              value={password}
              onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
            />
          </label>
          <ConfirmButton
            t={t}
            label={t('admin.users.resetPassword')}
            question={t('admin.users.resetQuestion', { name: user.name })}
            yes={t('admin.users.resetYes')}
            disabled={action.busy || password === ''}
            onConfirm={() =>
              void patch({ password }, t('admin.users.passwordReset', { name: user.name })).then(
                (ok) => ok && setPassword(''),
              )
            }
          />
        </form>
      )}
      {actions.includes('user.disable') &&
        (user.disabled ? (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => void patch({ disabled: false }, t('admin.users.enabled', { name: user.name }))}
          >
            {t('admin.users.enable', { name: user.name })}
          </button>
        ) : (
          <ConfirmButton
            t={t}
            label={t('admin.users.disable', { name: user.name })}
            question={t('admin.users.disableQuestion', { name: user.name })}
            yes={t('admin.users.disableYes')}
            disabled={action.busy}
            onConfirm={() =>
              void patch({ disabled: true }, t('admin.users.disabledDone', { name: user.name }))
            }
          />
        ))}
    </section>
  );
}
