// The Auditor view (issue 18): sub-pages under /auditor/… with their own navigation — the
// audit trail with the chain and checkpoint status, the send/receive log downloads, review
// marks and reports, the rights review, the configuration history with differences, and the
// lockdown and compliance reports. Opening the view asks the server first (403 = not allowed,
// audited); every endpoint behind the pages checks audit.read (or log.read, config.read) again.
import type { Key } from '../../i18n.js';
import { Denied } from '../common/denied.js';
import { SubNav } from '../common/subnav.js';
import { useView } from '../common/use-view.js';
import { ConfigPage } from './config.js';
import type { PageProps } from './kit.js';
import { LogPage } from './log.js';
import { ReportsPage } from './reports.js';
import { ReviewsPage } from './reviews.js';
import { RightsPage } from './rights.js';
import { TrailPage } from './trail.js';
import './auditor.css';

export interface AuditorProps extends PageProps {
  /** The path below /auditor ('' for the view itself). */
  sub: string;
}

/** Each page and the capability its data needs (the view itself needs audit.read). */
const PAGES = {
  trail: { Page: TrailPage, needs: 'audit.read' },
  log: { Page: LogPage, needs: 'log.read' },
  reviews: { Page: ReviewsPage, needs: 'audit.read' },
  rights: { Page: RightsPage, needs: 'audit.read' },
  config: { Page: ConfigPage, needs: 'config.read' },
  reports: { Page: ReportsPage, needs: 'audit.read' },
} as const;
type Page = keyof typeof PAGES;
const NAMES = Object.keys(PAGES) as Page[];

export function AuditorView({ t, lang, sub, actions }: AuditorProps) {
  const state = useView('auditor');
  if (state.kind === 'loading') return <p>{t('loading')}</p>;
  if (state.kind === 'denied') return <Denied t={t} />;
  if (state.kind === 'error') return <p role="alert">{t('error.generic', { message: state.message })}</p>;
  // Pages whose data the rights do not give are not offered (the server refuses them anyway).
  const names = NAMES.filter((p) => actions.includes(PAGES[p].needs));
  const name = (sub.split('/')[0] || 'trail') as Page;
  const Current = names.includes(name) ? PAGES[name].Page : null;
  return (
    <section aria-labelledby="view-title" class="auditor">
      <h1 id="view-title">{t('view.auditor')}</h1>
      <SubNav
        label={t('auditor.nav')}
        items={names.map((p) => ({
          href: `/auditor/${p}`,
          text: t(`auditor.${p}` as Key),
          current: p === name,
        }))}
      />
      {Current ? (
        <section aria-labelledby="auditor-page" key={name}>
          <h2 id="auditor-page" class="auditor-page-title">
            {t(`auditor.${name}` as Key)}
          </h2>
          <Current t={t} lang={lang} actions={actions} />
        </section>
      ) : (
        <p role="alert">{t('auditor.notFound')}</p>
      )}
    </section>
  );
}
