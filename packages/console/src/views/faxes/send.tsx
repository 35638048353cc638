// The send form (shown with the action fax.send): documents, number, mailbox, cover page,
// send time, priority, resolution. The number is checked against the destination policy
// (POST /console/numbers/check — the router the submission uses) before the form is sent;
// a refused or invalid number stops it there with the reason. After the submission the
// fax's page follows it live.
import { useEffect, useState } from 'preact/hooks';
import { API, api, HttpError } from '../../api.js';
import { navigate } from '../../router.js';
import { isoOf, type PageProps } from './kit.js';
import type { CheckAnswer } from './types.js';

const URGENCIES = ['normal', 'urgent', 'confidential'] as const;

function checkText(t: PageProps['t'], c: CheckAnswer): string {
  const vars = { number: c.number ?? '', mailbox: c.mailbox ?? '', reason: c.reason ?? '' };
  if (c.action === 'dial') return t('send.allowed', vars);
  if (c.action === 'internal') return t('send.internal', vars);
  if (c.action === 'refuse') return t('send.refused', vars);
  return t('send.invalid', vars);
}

export function SendForm({ t, actions }: PageProps) {
  const [boxes, setBoxes] = useState<Array<{ id: number; name: string }> | null>(null);
  const [mailbox, setMailbox] = useState('');
  const [number, setNumber] = useState('');
  const [check, setCheck] = useState<{ number: string; answer: CheckAnswer } | null>(null);
  const [checking, setChecking] = useState(false);
  const [cover, setCover] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<{ mailboxes: Array<{ id: number; name: string }> }>('/console/outboxes').then(
      (r) => {
        setBoxes(r.mailboxes);
        setMailbox(r.mailboxes[0]?.name ?? '');
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  if (!actions.includes('fax.send')) return <p>{t('send.noRight')}</p>;

  const runCheck = async (): Promise<CheckAnswer | null> => {
    const n = number.trim();
    if (!n) return null;
    if (check?.number === `${mailbox}|${n}`) return check.answer;
    setChecking(true);
    try {
      const answer = await api<CheckAnswer>('/console/numbers/check', {
        method: 'POST',
        json: { number: n, ...(mailbox ? { mailbox } : {}) },
      });
      setCheck({ number: `${mailbox}|${n}`, answer });
      return answer;
    } catch (e) {
      setError((e as Error).message);
      return null;
    } finally {
      setChecking(false);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const form = e.currentTarget as HTMLFormElement;
    const answer = await runCheck();
    // Refused or invalid: nothing is sent; the reason is on screen (role=alert).
    if (!answer?.allowed) return;
    const data = new FormData(form);
    const body = new FormData();
    const files = data.getAll('document').filter((f): f is File => f instanceof File && f.size > 0);
    if (files.length === 0) {
      setError(t('send.noFiles'));
      return;
    }
    body.set('number', number.trim());
    if (mailbox) body.set('mailbox', mailbox);
    for (const k of ['subject', 'priority', 'resolution']) {
      const v = String(data.get(k) ?? '').trim();
      if (v) body.set(k, v);
    }
    const sendAt = isoOf(String(data.get('sendAt') ?? ''));
    if (sendAt) body.set('sendAt', sendAt);
    if (cover) {
      body.set('cover', 'true');
      for (const k of ['coverToName', 'coverToCompany', 'coverComment', 'coverUrgency']) {
        const v = String(data.get(k) ?? '').trim();
        if (v) body.set(k, v);
      }
    }
    for (const f of files) body.append('document', f, f.name);
    setBusy(true);
    try {
      const r = await fetch(`${API}/faxes`, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        headers: { accept: 'application/json', 'x-faxgate-request': '1' },
      });
      const json = (await r.json().catch(() => ({}))) as {
        fax?: { id: number };
        error?: { message?: string };
      };
      if (!r.ok || !json.fax) throw new HttpError(r.status, json.error?.message ?? r.statusText);
      navigate(`/faxes/${json.fax.id}`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const current = check && check.number === `${mailbox}|${number.trim()}` ? check.answer : null;
  return (
    <form class="fx-send" onSubmit={submit} aria-describedby={error ? 'fx-send-error' : undefined}>
      {boxes && boxes.length > 1 && (
        <label>
          {t('send.mailbox')}
          <select value={mailbox} onChange={(e) => setMailbox((e.target as HTMLSelectElement).value)}>
            {boxes.map((b) => (
              <option value={b.name}>{b.name}</option>
            ))}
          </select>
        </label>
      )}
      <label for="fx-number">{t('send.number')}</label>
      <div class="fx-row">
        <input
          id="fx-number"
          name="number"
          type="tel"
          required
          maxLength={40}
          autoComplete="off"
          aria-describedby="fx-number-hint fx-number-check"
          aria-invalid={current ? !current.allowed : undefined}
          value={number}
          onInput={(e) => setNumber((e.target as HTMLInputElement).value)}
          onBlur={() => void runCheck()}
        />
        <button type="button" onClick={() => void runCheck()}>
          {t('send.check')}
        </button>
      </div>
      <p id="fx-number-hint" class="fx-hint">
        {t('send.numberHint')}
      </p>
      <p
        id="fx-number-check"
        class={current ? (current.allowed ? 'fx-ok' : 'fx-refused') : undefined}
        role={current && !current.allowed ? 'alert' : 'status'}
      >
        {checking ? t('send.checking') : current ? checkText(t, current) : ''}
      </p>
      <label>
        {t('send.files')}
        <input
          name="document"
          type="file"
          multiple
          required
          accept=".pdf,.png,.jpg,.jpeg,.gif,.tif,.tiff,.txt,.pbm,.sff,application/pdf,image/*,text/plain"
        />
      </label>
      <label>
        {t('send.subject')}
        <input name="subject" type="text" maxLength={200} />
      </label>
      <fieldset>
        <legend>{t('send.cover')}</legend>
        <label class="fx-check">
          <input
            type="checkbox"
            checked={cover}
            onChange={(e) => setCover((e.target as HTMLInputElement).checked)}
          />
          {t('send.coverOn')}
        </label>
        {cover && (
          <>
            <label>
              {t('send.coverToName')}
              <input name="coverToName" type="text" maxLength={200} />
            </label>
            <label>
              {t('send.coverToCompany')}
              <input name="coverToCompany" type="text" maxLength={200} />
            </label>
            <label>
              {t('send.coverComment')}
              <textarea name="coverComment" maxLength={4000} rows={3} />
            </label>
            <label>
              {t('send.coverUrgency')}
              <select name="coverUrgency">
                <option value="">{t('send.urgencyNone')}</option>
                {URGENCIES.map((u) => (
                  <option value={u}>{u}</option>
                ))}
              </select>
            </label>
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>{t('send.options')}</legend>
        <label>
          {t('send.sendAt')}
          <input name="sendAt" type="datetime-local" />
        </label>
        <label>
          {t('send.priority')}
          <input name="priority" type="number" min={0} max={255} placeholder="127" />
        </label>
        <label>
          {t('send.resolution')}
          <select name="resolution">
            <option value="fine">{t('send.fine')}</option>
            <option value="standard">{t('send.standard')}</option>
          </select>
        </label>
      </fieldset>
      {error && (
        <p id="fx-send-error" role="alert">
          {t('error.generic', { message: error })}
        </p>
      )}
      <button type="submit" class="fx-primary" disabled={busy}>
        {busy ? t('send.sending') : t('send.submit')}
      </button>
    </form>
  );
}
