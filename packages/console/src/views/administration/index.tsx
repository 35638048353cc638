// The Administration view (issue 18). `sub` is the rest of the path after /administration.
import type { Lang, Translate } from '../../i18n.js';
import { PlannedView } from '../common/planned.js';

export interface AdministrationProps {
  t: Translate;
  lang: Lang;
  /** The path below /administration ('' for the view itself). */
  sub: string;
  /** What the server lets the user do (GET /console/views). */
  actions: readonly string[];
}

export function AdministrationView({ t }: AdministrationProps) {
  return <PlannedView t={t} view="administration" />;
}
