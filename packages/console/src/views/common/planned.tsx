import type { View } from '../../api.js';
import type { Key, Translate } from '../../i18n.js';
import { Denied } from './denied.js';
import { useView } from './use-view.js';

/** A view of the skeleton: what it will show, once the server lets the user open it. */
export function PlannedView({ t, view }: { t: Translate; view: View }) {
  const state = useView(view);
  if (state.kind === 'loading') return <p>{t('loading')}</p>;
  if (state.kind === 'denied') return <Denied t={t} />;
  if (state.kind === 'error') return <p role="alert">{t('error.generic', { message: state.message })}</p>;
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">{t(`view.${view}`)}</h1>
      <p>{t('planned.intro')}</p>
      <ul>
        {state.info.shows.map((s) => (
          <li>{t(`shows.${s}` as Key)}</li>
        ))}
      </ul>
    </section>
  );
}
