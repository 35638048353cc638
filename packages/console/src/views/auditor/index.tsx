// The Auditor view (issue 18). `sub` is the rest of the path after /auditor.
import type { Lang, Translate } from '../../i18n.js';
import { PlannedView } from '../common/planned.js';

export interface AuditorProps {
  t: Translate;
  lang: Lang;
  /** The path below /auditor ('' for the view itself). */
  sub: string;
  /** What the server lets the user do (GET /console/views). */
  actions: readonly string[];
}

export function AuditorView({ t }: AuditorProps) {
  return <PlannedView t={t} view="auditor" />;
}
