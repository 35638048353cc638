// The inbox (/faxes/inbox): the received faxes of my incoming mailboxes, one mailbox at a
// time, unread ones marked (per user: GET /console/inbox), each with what my rights there
// allow — open (in.read), forward (in.forward: POST /faxes/:id/forward), delete after a
// confirmation (in.delete: DELETE /faxes/:id — the pages go, the record stays). Laid out as
// a list of cards, not a table, so that it fits a phone (375 px) without sideways scrolling.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Fax, type FaxRow } from '../../api.js';
import { formatTime } from '../../i18n.js';
import { navigate } from '../../router.js';
import type { PageProps } from './kit.js';
import { useFaxStream, useSingleRead } from './live.js';
import type { Inbox as InboxData } from './types.js';

const TARGETS = ['mailbox', 'user', 'email', 'number'] as const;
type Target = (typeof TARGETS)[number];
const TARGET_WORDS = {
  mailbox: 'inbox.toMailbox',
  user: 'inbox.toUser',
  email: 'inbox.toEmail',
  number: 'inbox.toNumber',
} as const;

function ForwardForm({ t, id, onDone }: { t: PageProps['t']; id: number; onDone: (ok: boolean) => void }) {
  const [kind, setKind] = useState<Target>('mailbox');
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(`/faxes/${id}/forward`, {
        method: 'POST',
        json: { to: { [kind]: value.trim() }, ...(note.trim() ? { note: note.trim() } : {}) },
      });
      onDone(true);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const title = t('inbox.forwardTitle', { id: String(id) });
  return (
    <form class="fx-forward" aria-label={title} onSubmit={submit}>
      <fieldset>
        <legend>{t('inbox.forwardTo')}</legend>
        {TARGETS.map((k) => (
          <label class="fx-check">
            <input type="radio" name={`fx-to-${id}`} checked={kind === k} onChange={() => setKind(k)} />
            {t(TARGET_WORDS[k])}
          </label>
        ))}
      </fieldset>
      <label>
        {t('inbox.target')}
        <input
          type="text"
          inputMode={kind === 'email' ? 'email' : kind === 'number' ? 'tel' : 'text'}
          required
          maxLength={254}
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        {t('inbox.note')}
        <input
          type="text"
          maxLength={500}
          value={note}
          onInput={(e) => setNote((e.target as HTMLInputElement).value)}
        />
      </label>
      {error && <p role="alert">{t('error.generic', { message: error })}</p>}
      <div class="fx-buttons">
        <button type="submit" class="fx-primary" disabled={busy}>
          {t('inbox.doForward')}
        </button>
        <button type="button" onClick={() => onDone(false)}>
          {t('inbox.cancel')}
        </button>
      </div>
    </form>
  );
}

export function InboxPage({ t, lang }: PageProps) {
  const [inbox, setInbox] = useState<InboxData | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [rows, setRows] = useState<FaxRow[] | null>(null);
  const [forwarding, setForwarding] = useState<number | null>(null);
  const [deleting, setDeleting] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useSingleRead(async () => {
    try {
      const box = await api<InboxData>('/console/inbox');
      setInbox(box);
      const name =
        chosen && box.mailboxes.some((m) => m.name === chosen) ? chosen : (box.mailboxes[0]?.name ?? null);
      if (name !== chosen) setChosen(name);
      const mailbox = box.mailboxes.find((m) => m.name === name);
      if (!mailbox?.rights.includes('in.read')) {
        setRows([]);
        return;
      }
      const q = new URLSearchParams({
        direction: 'in',
        right: 'in.read',
        mailbox: mailbox.name,
        state: 'receiving,received,delivered',
        limit: '200',
      });
      const list = await api<{ items: FaxRow[] }>(`/listing/faxes?${q}`);
      setRows(list.items.reverse());
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  });
  useEffect(() => {
    setRows(null);
    reload();
  }, [chosen, reload]);
  const onFax = useCallback((f: Fax) => f.direction === 'in' && reload(), [reload]);
  const live = useFaxStream(true, { reread: reload, fax: onFax });

  if (!inbox)
    return error ? <p role="alert">{t('error.generic', { message: error })}</p> : <p>{t('loading')}</p>;
  if (inbox.mailboxes.length === 0) return <p>{t('inbox.none')}</p>;
  const mailbox = inbox.mailboxes.find((m) => m.name === chosen) ?? inbox.mailboxes[0];
  const unread = new Set(inbox.unread);
  return (
    <div class="fx-inbox">
      <p class="live" role="status">
        {live ? t('faxes.live') : t('faxes.offline')}
      </p>
      <nav aria-label={t('inbox.mailboxes')}>
        <ul class="fx-tabs">
          {inbox.mailboxes.map((m) => (
            <li>
              <button type="button" aria-pressed={m.name === mailbox.name} onClick={() => setChosen(m.name)}>
                {m.name}
                {m.unread > 0 && <span class="fx-badge">{t('inbox.unread', { n: String(m.unread) })}</span>}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {notice && (
        <p role="status" class="fx-ok">
          {notice}
        </p>
      )}
      {error && <p role="alert">{t('error.generic', { message: error })}</p>}
      {rows === null ? (
        <p>{t('loading')}</p>
      ) : rows.length === 0 ? (
        <p>{t('inbox.empty')}</p>
      ) : (
        <ul class="fx-cards" aria-label={mailbox.name}>
          {rows.map(({ fax }) => {
            const isNew = unread.has(fax.id);
            return (
              <li
                class={isNew ? 'fx-card fx-unread' : 'fx-card'}
                data-fax={fax.id}
                data-unread={isNew ? 'yes' : 'no'}
              >
                <p class="fx-card-head">
                  {isNew && <span class="fx-badge">{t('inbox.new')}</span>}
                  <strong>{t('inbox.from', { number: fax.remoteNumber ?? t('inbox.unknown') })}</strong>
                </p>
                <p class="fx-card-meta">
                  {t('fax.title', { id: String(fax.id) })} · {formatTime(lang, fax.updatedAt)} ·{' '}
                  {fax.pagesTotal === 1
                    ? t('inbox.onePage')
                    : t('inbox.pages', { n: String(fax.pagesTotal) })}
                </p>
                <div class="fx-buttons">
                  <button
                    type="button"
                    class="fx-primary"
                    aria-label={t('faxes.open', { id: String(fax.id) })}
                    onClick={() => navigate(`/faxes/${fax.id}`)}
                  >
                    {t('inbox.open')}
                  </button>
                  {mailbox.rights.includes('in.delete') && (
                    <button
                      type="button"
                      aria-expanded={deleting === fax.id}
                      onClick={() => setDeleting(deleting === fax.id ? null : fax.id)}
                    >
                      {t('inbox.delete')}
                    </button>
                  )}
                  {mailbox.rights.includes('in.forward') && (
                    <button
                      type="button"
                      aria-expanded={forwarding === fax.id}
                      onClick={() => setForwarding(forwarding === fax.id ? null : fax.id)}
                    >
                      {t('inbox.forward')}
                    </button>
                  )}
                </div>
                {deleting === fax.id && (
                  <fieldset class="fx-confirm">
                    <legend>{t('inbox.deleteTitle', { id: String(fax.id) })}</legend>
                    <p>{t('inbox.deleteQuestion', { id: String(fax.id) })}</p>
                    <div class="fx-buttons">
                      <button
                        type="button"
                        class="fx-danger"
                        onClick={async () => {
                          try {
                            await api(`/faxes/${fax.id}`, { method: 'DELETE' });
                            setDeleting(null);
                            setNotice(t('inbox.deleted', { id: String(fax.id) }));
                            reload();
                          } catch (e) {
                            setError((e as Error).message);
                          }
                        }}
                      >
                        {t('inbox.doDelete')}
                      </button>
                      <button type="button" onClick={() => setDeleting(null)}>
                        {t('inbox.cancel')}
                      </button>
                    </div>
                  </fieldset>
                )}
                {forwarding === fax.id && (
                  <ForwardForm
                    t={t}
                    id={fax.id}
                    onDone={(ok) => {
                      setForwarding(null);
                      if (ok) setNotice(t('inbox.forwarded', { id: String(fax.id) }));
                    }}
                  />
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
