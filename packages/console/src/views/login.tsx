import { useState } from 'preact/hooks';
import { api, HttpError } from '../api.js';
import type { Translate } from '../i18n.js';

/** The login form; the gateway answers with the session cookie (HttpOnly, SameSite=Strict). */
export function LoginView({ t, onSignedIn }: { t: Translate; onSignedIn: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await api('/sessions', {
        method: 'POST',
        json: { username: String(form.get('username')), password: String(form.get('password')) },
      });
      onSignedIn();
    } catch (err) {
      setError(err instanceof HttpError && err.status === 429 ? t('login.throttled') : t('login.failed'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="login" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      <form onSubmit={submit}>
        <label for="username">{t('login.user')}</label>
        <input id="username" name="username" autocomplete="username" required maxLength={64} />
        <label for="password">{t('login.password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </section>
  );
}
