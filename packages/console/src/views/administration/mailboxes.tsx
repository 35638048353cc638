// Mailboxes and their fax numbers: the list, a new mailbox, adding or removing a number
// (removal asks first: faxes to it are no longer routed here). mailbox.manage decides.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ConfirmButton, LoadError, Outcome, type PageProps, seg, useAction, useLoad } from './kit.js';
import type { Mailbox } from './types.js';

export function MailboxesPage({ t, actions }: PageProps) {
  const boxes = useLoad<Mailbox[]>(t, '/mailboxes');
  const action = useAction(t);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'incoming' | 'outgoing'>('incoming');
  const [description, setDescription] = useState('');
  const [numbers, setNumbers] = useState('');
  const [box, setBox] = useState('');
  const [number, setNumber] = useState('');
  const chosen = box || boxes.data?.[0]?.name || '';
  const numberPath = `/mailboxes/${seg(chosen)}/numbers/${seg(number.trim())}`;

  return (
    <section aria-labelledby="admin-mailboxes">
      <h2 id="admin-mailboxes">{t('admin.page.mailboxes')}</h2>
      <LoadError error={boxes.error} />
      <Outcome action={action} />
      {boxes.data && (
        <div class="scroll">
          <table>
            <caption>{t('admin.mailboxes.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.col.name')}</th>
                <th scope="col">{t('admin.col.kind')}</th>
                <th scope="col">{t('admin.col.description')}</th>
                <th scope="col">{t('admin.col.numbers')}</th>
              </tr>
            </thead>
            <tbody>
              {boxes.data.map((m) => (
                <tr data-mailbox={m.name}>
                  <th scope="row">{m.name}</th>
                  <td>{t(m.kind === 'incoming' ? 'admin.kind.incoming' : 'admin.kind.outgoing')}</td>
                  <td>{m.description}</td>
                  <td>{m.numbers.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {actions.includes('mailbox.number') && boxes.data && boxes.data.length > 0 && (
        <form class="admin-form" aria-labelledby="admin-mailbox-number" onSubmit={(e) => e.preventDefault()}>
          <h3 id="admin-mailbox-number">{t('admin.mailboxes.numbers')}</h3>
          <div class="admin-field">
            <label for="admin-mailboxes-mailbox">{t('admin.field.mailbox')}</label>
            <select
              id="admin-mailboxes-mailbox"
              value={chosen}
              onChange={(e) => setBox((e.target as HTMLSelectElement).value)}
            >
              {boxes.data.map((m) => (
                <option value={m.name}>{m.name}</option>
              ))}
            </select>
          </div>
          <label>
            {t('admin.field.number')}
            <input
              required
              maxLength={40}
              inputMode="tel"
              value={number}
              onInput={(e) => setNumber((e.target as HTMLInputElement).value)}
            />
          </label>
          <div class="admin-buttons">
            <button
              type="button"
              disabled={action.busy || number.trim() === ''}
              onClick={() =>
                void action.run(
                  () => api(numberPath, { method: 'PUT' }),
                  t('admin.mailboxes.numberAdded', { number: number.trim(), mailbox: chosen }),
                  boxes.reload,
                )
              }
            >
              {t('admin.mailboxes.addNumber')}
            </button>
            <ConfirmButton
              t={t}
              label={t('admin.mailboxes.removeNumber')}
              question={t('admin.mailboxes.removeQuestion', { number: number.trim(), mailbox: chosen })}
              yes={t('admin.mailboxes.removeYes')}
              disabled={action.busy || number.trim() === ''}
              onConfirm={() =>
                void action.run(
                  () => api(numberPath, { method: 'DELETE' }),
                  t('admin.mailboxes.numberRemoved', { number: number.trim(), mailbox: chosen }),
                  boxes.reload,
                )
              }
            />
          </div>
        </form>
      )}
      {actions.includes('mailbox.create') && (
        <form
          class="admin-form"
          aria-labelledby="admin-mailbox-add"
          onSubmit={async (e) => {
            e.preventDefault();
            const body = {
              name: name.trim(),
              kind,
              ...(description.trim() ? { description: description.trim() } : {}),
              numbers: numbers
                .split(/[,\s]+/)
                .map((n) => n.trim())
                .filter((n) => n !== ''),
            };
            const ok = await action.run(
              () => api('/mailboxes', { method: 'POST', json: body }),
              t('admin.mailboxes.added', { name: body.name }),
              boxes.reload,
            );
            if (ok) {
              setName('');
              setDescription('');
              setNumbers('');
            }
          }}
        >
          <h3 id="admin-mailbox-add">{t('admin.mailboxes.add')}</h3>
          <label>
            {t('admin.field.mailboxName')}
            <input
              required
              maxLength={64}
              value={name}
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
          </label>
          <div class="admin-field">
            <label for="admin-mailboxes-kind">{t('admin.field.kind')}</label>
            <select
              id="admin-mailboxes-kind"
              value={kind}
              onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}
            >
              <option value="incoming">{t('admin.kind.incoming')}</option>
              <option value="outgoing">{t('admin.kind.outgoing')}</option>
            </select>
          </div>
          <label>
            {t('admin.field.description')}
            <input
              maxLength={500}
              value={description}
              onInput={(e) => setDescription((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            {t('admin.field.numbers')}
            <input value={numbers} onInput={(e) => setNumbers((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('admin.mailboxes.addSubmit')}
          </button>
        </form>
      )}
    </section>
  );
}
