// The Faxes view (issue 18): the list of all faxes I may see (filters, live), the inbox of my
// incoming mailboxes (unread marks, forward), the send form (with fax.send) and each fax's
// page (/faxes/<id>: pages, history, log, live). Opening the view asks the server first
// (403 = not allowed, audited); every endpoint behind the pages checks the rights again.
import type { Key, Lang, Translate } from '../../i18n.js';
import { Denied } from '../common/denied.js';
import { SubNav } from '../common/subnav.js';
import { useView } from '../common/use-view.js';
import { FaxPage } from './fax-page.js';
import { InboxPage } from './inbox.js';
import { FaxList } from './list.js';
import { SendForm } from './send.js';
import './faxes.css';

export interface FaxesProps {
  t: Translate;
  lang: Lang;
  /** The path below /faxes ('' for the list, 'inbox', 'send', or a fax id). */
  sub: string;
  actions: readonly string[];
}

type Tab = 'list' | 'inbox' | 'send';
const TAB_WORDS: Record<Tab, Key> = { list: 'faxes.list', inbox: 'faxes.inbox', send: 'faxes.send' };
const TAB_PATHS: Record<Tab, string> = { list: '/faxes', inbox: '/faxes/inbox', send: '/faxes/send' };

export function FaxesView({ t, lang, sub, actions }: FaxesProps) {
  const state = useView('faxes');
  if (state.kind === 'loading') return <p>{t('loading')}</p>;
  if (state.kind === 'denied') return <Denied t={t} />;
  if (state.kind === 'error') return <p role="alert">{t('error.generic', { message: state.message })}</p>;
  const first = sub.split('/')[0];
  const faxId = /^[1-9][0-9]{0,14}$/.test(first) ? Number(first) : null;
  const tab: Tab | null =
    first === '' ? 'list' : first === 'inbox' ? 'inbox' : first === 'send' ? 'send' : null;
  const tabs: Tab[] = actions.includes('fax.send') ? ['list', 'inbox', 'send'] : ['list', 'inbox'];
  const props = { t, lang, actions };
  return (
    <section aria-labelledby="view-title" class="faxes">
      <h1 id="view-title">{t('view.faxes')}</h1>
      <SubNav
        label={t('faxes.nav')}
        items={tabs.map((k) => ({
          href: TAB_PATHS[k],
          text: t(TAB_WORDS[k]),
          current: k === tab && faxId === null,
        }))}
      />
      {tab && <h2 class="fx-page-title">{t(TAB_WORDS[tab])}</h2>}
      {faxId !== null ? (
        <FaxPage {...props} id={faxId} key={faxId} />
      ) : tab === 'list' ? (
        <FaxList {...props} />
      ) : tab === 'inbox' ? (
        <InboxPage {...props} />
      ) : tab === 'send' ? (
        <SendForm {...props} />
      ) : (
        <p role="alert">{t('faxes.notFound')}</p>
      )}
    </section>
  );
}
