// The Administration view (issue 18): users, groups, mailboxes and their numbers, grants,
// API tokens, the configuration and the pilot (selftest, release), one sub-page each under
// /administration/<page> with a labelled secondary navigation. The navigation lists the
// pages the server's `actions` allow; a page opened by URL asks the server anyway, which
// refuses (403, audited) what the rights do not give.
import { useEffect } from 'preact/hooks';
import type { Key, Lang, Translate } from '../../i18n.js';
import { navigate } from '../../router.js';
import { Denied } from '../common/denied.js';
import { SubNav } from '../common/subnav.js';
import { useView } from '../common/use-view.js';
import './administration.css';
import { ConfigurationPage } from './configuration.js';
import { GrantsPage } from './grants.js';
import { GroupsPage } from './groups.js';
import type { PageProps } from './kit.js';
import { MailboxesPage } from './mailboxes.js';
import { PilotPage } from './pilot.js';
import { TokensPage } from './tokens.js';
import { UsersPage } from './users.js';

export interface AdministrationProps {
  t: Translate;
  lang: Lang;
  /** The path below /administration ('' for the view itself). */
  sub: string;
  /** What the server lets the user do (GET /console/views). */
  actions: readonly string[];
}

/** Each page, the action that shows it in the navigation, and what draws it. */
const PAGES = [
  { page: 'users', shownBy: 'user.list', Page: UsersPage },
  { page: 'groups', shownBy: 'group.list', Page: GroupsPage },
  { page: 'mailboxes', shownBy: 'mailbox.manage', Page: MailboxesPage },
  { page: 'grants', shownBy: 'grant.list', Page: GrantsPage },
  { page: 'tokens', shownBy: 'token.list', Page: TokensPage },
  { page: 'configuration', shownBy: 'config.read', Page: ConfigurationPage },
  { page: 'pilot', shownBy: 'config.read', Page: PilotPage },
] as const;

export function AdministrationView({ t, lang, sub, actions }: AdministrationProps) {
  const state = useView('administration');
  const visible = PAGES.filter((p) => actions.includes(p.shownBy));
  const current = PAGES.find((p) => p.page === sub.split('/')[0]);
  // The view itself opens its first page.
  useEffect(() => {
    if (state.kind === 'open' && sub === '' && visible[0])
      navigate(`/administration/${visible[0].page}`, true);
  }, [state.kind, sub, visible[0]?.page]);

  if (state.kind === 'loading') return <p>{t('loading')}</p>;
  if (state.kind === 'denied') return <Denied t={t} />;
  if (state.kind === 'error') return <p role="alert">{t('error.generic', { message: state.message })}</p>;
  const props: PageProps = { t, lang, actions };
  return (
    <section aria-labelledby="view-title" class="admin">
      <h1 id="view-title">{t('view.administration')}</h1>
      <SubNav
        label={t('admin.nav')}
        items={visible.map((p) => ({
          href: `/administration/${p.page}`,
          text: t(`admin.page.${p.page}` as Key),
          current: current?.page === p.page,
        }))}
      />
      {current ? (
        <current.Page {...props} />
      ) : (
        sub !== '' && <p role="alert">{t('admin.noSuchPage', { page: sub })}</p>
      )}
    </section>
  );
}
