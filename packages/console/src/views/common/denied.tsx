import type { Translate } from '../../i18n.js';

export function Denied({ t }: { t: Translate }) {
  return (
    <section aria-labelledby="denied-title">
      <h1 id="denied-title">{t('denied.title')}</h1>
      <p role="alert">{t('denied.text')}</p>
    </section>
  );
}
