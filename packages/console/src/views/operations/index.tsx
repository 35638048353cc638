// The Operations view (issue 18). `sub` is the rest of the path after /operations.
import type { Lang, Translate } from '../../i18n.js';
import { PlannedView } from '../common/planned.js';

export interface OperationsProps {
  t: Translate;
  lang: Lang;
  /** The path below /operations ('' for the view itself). */
  sub: string;
  /** What the server lets the user do (GET /console/views). */
  actions: readonly string[];
}

export function OperationsView({ t }: OperationsProps) {
  return <PlannedView t={t} view="operations" />;
}
