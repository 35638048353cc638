// The shell: who is signed in (the server's list of views decides the navigation), the
// language switch, and the view the path names. A view the server does not list is still
// asked for by its data endpoint, which refuses — so the page shows "not allowed".
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, HttpError, type Session, type View } from './api.js';
import { initialLang, type Lang, rememberLang, translator } from './i18n.js';
import { navigate, usePath } from './router.js';
import { AdministrationView } from './views/administration/index.js';
import { AuditorView } from './views/auditor/index.js';
import { FaxesView } from './views/faxes/index.js';
import { LoginView } from './views/login.js';
import { OperationsView } from './views/operations/index.js';

const VIEWS: readonly View[] = ['faxes', 'operations', 'auditor', 'administration'];

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const t = useMemo(() => translator(lang), [lang]);
  const path = usePath();

  const load = useCallback(async () => {
    try {
      setSession(await api<Session>('/console/views'));
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) setSession(null);
      else setError((e as Error).message);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const chooseLang = (l: Lang) => {
    rememberLang(l);
    setLang(l);
  };
  const logout = async () => {
    await api('/sessions/current', { method: 'DELETE' }).catch(() => {});
    setSession(null);
    navigate('/login');
  };

  // The first path segment names the view; the rest (e.g. /faxes/42) is the view's own.
  const view = VIEWS.find((v) => path === `/${v}` || path.startsWith(`/${v}/`));
  const sub = view ? path.slice(view.length + 2) : '';
  useEffect(() => {
    if (session === null && path !== '/login') navigate('/login', true);
    if (session && (path === '/' || path === '/login')) navigate(`/${session.views[0] ?? 'faxes'}`, true);
  }, [session, path]);

  const switcher = (
    <fieldset class="lang">
      <legend class="sr-only">{t('lang.switch')}</legend>
      {(['de', 'en'] as const).map((l) => (
        <button type="button" lang={l} aria-pressed={lang === l} onClick={() => chooseLang(l)}>
          {l === 'de' ? 'Deutsch' : 'English'}
        </button>
      ))}
    </fieldset>
  );

  return (
    <>
      <header class="top">
        <span class="brand">{t('app.name')}</span>
        {session && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {session.views.map((v) => (
                <li>
                  <a
                    href={`/${v}`}
                    aria-current={view === v ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/${v}`);
                    }}
                  >
                    {t(`view.${v}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="right">
          {switcher}
          {session && (
            <>
              <span class="who">{t('signedIn', { name: session.user.name })}</span>
              <button type="button" onClick={logout}>
                {t('logout')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main">
        {error && <p role="alert">{t('error.generic', { message: error })}</p>}
        {session === undefined && !error && <p>{t('loading')}</p>}
        {session === null && <LoginView t={t} onSignedIn={load} />}
        {session && view === 'faxes' && <FaxesView t={t} lang={lang} sub={sub} actions={session.actions} />}
        {session && view === 'operations' && (
          <OperationsView t={t} lang={lang} sub={sub} actions={session.actions} />
        )}
        {session && view === 'auditor' && (
          <AuditorView t={t} lang={lang} sub={sub} actions={session.actions} />
        )}
        {session && view === 'administration' && (
          <AdministrationView t={t} lang={lang} sub={sub} actions={session.actions} />
        )}
      </main>
    </>
  );
}
