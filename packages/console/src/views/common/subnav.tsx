// A view's secondary navigation (Faxes, Auditor, Administration): a labelled `nav` (not a
// second "Main"), links the router follows without a reload, the current page marked.
import { navigate } from '../../router.js';

export interface SubNavItem {
  href: string;
  text: string;
  current: boolean;
}

export function SubNav({ label, items }: { label: string; items: readonly SubNavItem[] }) {
  return (
    <nav aria-label={label} class="subnav">
      <ul>
        {items.map((i) => (
          <li>
            <a
              href={i.href}
              aria-current={i.current ? 'page' : undefined}
              onClick={(e) => {
                if (e.ctrlKey || e.metaKey || e.shiftKey) return; // a new tab, as the user asked
                e.preventDefault();
                navigate(i.href);
              }}
            >
              {i.text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
