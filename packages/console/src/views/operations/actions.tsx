// What an operator may do to a queued fax — each shown only when the server's `actions`
// hold the capability (queue.manage); the server decides again on every request. Stop and
// settle are confirmed first (a stopped fax does not come back; a settled one is final).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import type { Translate } from '../../i18n.js';
import type { QueuedFax } from './types.js';

/** The cause of a fax held after a crash cut its call off (pipeline/transitions.ts). */
const OUTCOME_UNKNOWN = 'outcome-unknown';
const WAITING = ['pending', 'sleeping', 'waiting', 'blocked'];
const STOPPABLE = [...WAITING, 'suspended', 'running'];

type Pending = { kind: 'stop' } | { kind: 'settle'; decision: string } | null;

export function FaxActions({
  t,
  fax,
  actions,
  onDone,
}: {
  t: Translate;
  fax: QueuedFax;
  actions: readonly string[];
  onDone: (message: string | null, error: string | null) => void;
}) {
  const [confirm, setConfirm] = useState<Pending>(null);
  const [priority, setPriority] = useState(String(fax.priority));
  const [decision, setDecision] = useState('resend');
  const [busy, setBusy] = useState(false);
  if (!actions.includes('queue.manage')) return null;
  const id = String(fax.id);
  const run = async (what: string, path: string, init: { method: string; json?: unknown }) => {
    setBusy(true);
    try {
      await api(path, init);
      onDone(t('ops.act.done', { what, id }), null);
    } catch (e) {
      onDone(null, t('ops.act.failed', { what, id, message: (e as Error).message }));
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };
  const unknown = fax.state === 'suspended' && fax.cause === OUTCOME_UNKNOWN;

  if (confirm)
    return (
      <fieldset class="ops-actions ops-confirm">
        <legend class="sr-only">{t('ops.act.confirmGroup', { id })}</legend>
        <span>
          {confirm.kind === 'stop'
            ? t('ops.act.confirmStop', { id })
            : t('ops.act.confirmSettle', {
                id,
                decision: t(`ops.settle.${confirm.decision}` as 'ops.settle.resend'),
              })}
        </span>
        <button
          type="button"
          class="ops-danger"
          disabled={busy}
          onClick={() =>
            confirm.kind === 'stop'
              ? run(t('ops.act.stop'), `/faxes/${id}/stop`, { method: 'POST' })
              : run(t('ops.act.settle'), `/faxes/${id}/settle`, {
                  method: 'POST',
                  json: { decision: confirm.decision },
                })
          }
        >
          {t('ops.act.confirm')}
        </button>
        <button type="button" onClick={() => setConfirm(null)}>
          {t('ops.act.cancel')}
        </button>
      </fieldset>
    );

  return (
    <div class="ops-actions">
      {WAITING.includes(fax.state) && (
        <button
          type="button"
          disabled={busy}
          aria-label={t('ops.act.holdFax', { id })}
          onClick={() => run(t('ops.act.hold'), `/faxes/${id}/hold`, { method: 'POST', json: {} })}
        >
          {t('ops.act.hold')}
        </button>
      )}
      {fax.state === 'suspended' && !unknown && (
        <button
          type="button"
          disabled={busy}
          aria-label={t('ops.act.releaseFax', { id })}
          onClick={() => run(t('ops.act.release'), `/faxes/${id}/release`, { method: 'POST', json: {} })}
        >
          {t('ops.act.release')}
        </button>
      )}
      {STOPPABLE.includes(fax.state) && (
        <button
          type="button"
          disabled={busy}
          aria-label={t('ops.act.stopFax', { id })}
          onClick={() => setConfirm({ kind: 'stop' })}
        >
          {t('ops.act.stop')}
        </button>
      )}
      {WAITING.includes(fax.state) && (
        <form
          class="ops-inline"
          onSubmit={(e) => {
            e.preventDefault();
            void run(t('ops.act.priority'), `/faxes/${id}`, {
              method: 'PATCH',
              json: { priority: Number(priority) },
            });
          }}
        >
          <label>
            <span class="sr-only">{t('ops.act.priorityOf', { id })}</span>
            <input
              type="number"
              min={0}
              max={255}
              required
              value={priority}
              onInput={(e) => setPriority((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={busy} aria-label={t('ops.act.priorityFax', { id })}>
            {t('ops.act.priority')}
          </button>
        </form>
      )}
      {unknown && (
        <form
          class="ops-inline"
          onSubmit={(e) => {
            e.preventDefault();
            setConfirm({ kind: 'settle', decision });
          }}
        >
          <label>
            <span class="sr-only">{t('ops.act.settleOf', { id })}</span>
            <select value={decision} onChange={(e) => setDecision((e.target as HTMLSelectElement).value)}>
              {['resend', 'sent', 'failed'].map((d) => (
                <option value={d}>{t(`ops.settle.${d}` as 'ops.settle.resend')}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy} aria-label={t('ops.act.settleFax', { id })}>
            {t('ops.act.settle')}
          </button>
        </form>
      )}
    </div>
  );
}

/** Requeue one failed fax: back to the queue with fresh dial counts. */
export function RequeueButton({
  t,
  id,
  onDone,
}: {
  t: Translate;
  id: number;
  onDone: (message: string | null, error: string | null) => void;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      disabled={busy}
      aria-label={t('ops.act.requeueFax', { id: String(id) })}
      onClick={async () => {
        setBusy(true);
        try {
          await api(`/faxes/${id}/requeue`, { method: 'POST', json: {} });
          onDone(t('ops.act.done', { what: t('ops.act.requeue'), id: String(id) }), null);
        } catch (err) {
          onDone(
            null,
            t('ops.act.failed', {
              what: t('ops.act.requeue'),
              id: String(id),
              message: (err as Error).message,
            }),
          );
        } finally {
          setBusy(false);
        }
      }}
    >
      {t('ops.act.requeue')}
    </button>
  );
}

/** Requeue a failed fax by its number (one older than the list shows). */
export function RequeueForm({
  t,
  actions,
  onDone,
}: {
  t: Translate;
  actions: readonly string[];
  onDone: (message: string | null, error: string | null) => void;
}) {
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  if (!actions.includes('queue.manage')) return null;
  return (
    <form
      class="ops-inline"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          await api(`/faxes/${encodeURIComponent(id)}/requeue`, { method: 'POST', json: {} });
          onDone(t('ops.act.done', { what: t('ops.act.requeue'), id }), null);
          setId('');
        } catch (err) {
          onDone(
            null,
            t('ops.act.failed', { what: t('ops.act.requeue'), id, message: (err as Error).message }),
          );
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        {t('ops.act.requeueLabel')}{' '}
        <input
          type="number"
          min={1}
          required
          value={id}
          onInput={(e) => setId((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit" disabled={busy}>
        {t('ops.act.requeue')}
      </button>
    </form>
  );
}
