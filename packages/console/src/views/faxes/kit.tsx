// Small pieces the Faxes pages share: their props, links that use the router, the fax's
// direction and state in words.
import type { ComponentChildren } from 'preact';
import type { Fax } from '../../api.js';
import type { Lang, Translate } from '../../i18n.js';
import { navigate } from '../../router.js';

export interface PageProps {
  t: Translate;
  lang: Lang;
  actions: readonly string[];
}

export function Link({
  href,
  children,
  label,
  current,
}: {
  href: string;
  children: ComponentChildren;
  label?: string;
  current?: boolean;
}) {
  return (
    <a
      href={href}
      aria-label={label}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

export function direction(t: Translate, fax: Pick<Fax, 'direction'>): string {
  return t(fax.direction === 'in' ? 'dir.in' : 'dir.out');
}

export function pagesText(fax: Pick<Fax, 'direction' | 'pagesDone' | 'pagesTotal'>): string {
  return fax.direction === 'out' ? `${fax.pagesDone}/${fax.pagesTotal}` : String(fax.pagesTotal);
}

/** A datetime-local input's value (the browser's zone) as ISO 8601, or undefined when empty. */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A table's scrolling box: it takes the keyboard focus (arrow keys scroll a wide table) and is named after it. */
export function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section class="scroll" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
