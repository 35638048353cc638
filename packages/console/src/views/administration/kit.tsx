// What every administration page shares: reading a resource, running a change with the
// server's answer shown (its own message on a refusal), and a two-step button for changes
// that cannot be taken back. The server decides every change; these only report it.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, HttpError } from '../../api.js';
import type { Lang, Translate } from '../../i18n.js';

export interface PageProps {
  t: Translate;
  lang: Lang;
  actions: readonly string[];
}

/** A refusal or failure in the user's words, with the server's own message. */
export function errorText(t: Translate, e: unknown): string {
  if (e instanceof HttpError)
    return t(e.status === 403 ? 'admin.refused' : 'admin.failed', {
      status: String(e.status),
      message: e.message,
    });
  return t('error.generic', { message: (e as Error).message });
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/** GETs `path` (null: nothing to read yet) and again on `reload`. */
export function useLoad<T>(t: Translate, path: string | null): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const shown = useRef<string | null>(null);
  useEffect(() => {
    // A reload keeps the rows on screen until the new ones come; another path clears them.
    if (shown.current !== path) setData(null);
    shown.current = path;
    setError(null);
    if (path === null) return;
    let live = true;
    api<T>(path).then(
      (d) => live && setData(d),
      (e) => live && setError(errorText(t, e)),
    );
    return () => {
      live = false;
    };
  }, [path, round, t]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, reload };
}

export interface Action {
  busy: boolean;
  error: string | null;
  done: string | null;
  /** Runs one change; on success shows `doneText` and calls `after`. */
  run: (change: () => Promise<unknown>, doneText: string, after?: () => void) => Promise<boolean>;
}

export function useAction(t: Translate): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = useCallback(
    async (change: () => Promise<unknown>, doneText: string, after?: () => void) => {
      setBusy(true);
      setError(null);
      setDone(null);
      try {
        await change();
        setDone(doneText);
        after?.();
        return true;
      } catch (e) {
        setError(errorText(t, e));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { busy, error, done, run };
}

/** The outcome of the last change: an alert for a refusal, a status line for success. */
export function Outcome({ action }: { action: Action }) {
  return (
    <div class="admin-outcome">
      {action.error && <p role="alert">{action.error}</p>}
      <p role="status" class="admin-done">
        {action.done ?? ''}
      </p>
    </div>
  );
}

/** A read error, as an alert. */
export function LoadError({ error }: { error: string | null }) {
  return error ? <p role="alert">{error}</p> : null;
}

/**
 * A change that cannot be taken back asks first: the button becomes a question with
 * "Yes, …" and "Cancel"; focus moves to the answer so keyboards follow.
 */
export function ConfirmButton(props: {
  t: Translate;
  label: ComponentChildren;
  question: string;
  yes: string;
  disabled?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const yesRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) yesRef.current?.focus();
  }, [asking]);
  if (!asking)
    return (
      <button type="button" disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  return (
    <fieldset class="admin-confirm">
      <legend>{props.question}</legend>
      <button
        type="button"
        class="danger"
        ref={yesRef}
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.yes}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        {props.t('admin.cancel')}
      </button>
    </fieldset>
  );
}

/** Text a screen reader adds to a short button label ("Edit" → "Edit alice"). */
export function Hidden({ children }: { children: ComponentChildren }) {
  return <span class="sr-only">{children}</span>;
}

/** URL path segment for a name (users, groups, mailboxes, numbers). */
export const seg = (s: string): string => encodeURIComponent(s);
