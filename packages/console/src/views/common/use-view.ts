// Opening a view asks the server first (GET /console/views/<view>): 403 means not allowed,
// whatever the navigation showed or the address bar said.
import { useEffect, useState } from 'preact/hooks';
import { api, HttpError, type View } from '../../api.js';

export interface ViewInfo {
  view: View;
}

export type ViewState =
  | { kind: 'loading' }
  | { kind: 'denied' }
  | { kind: 'error'; message: string }
  | { kind: 'open'; info: ViewInfo };

export function useView(view: View): ViewState {
  const [state, setState] = useState<ViewState>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    api<ViewInfo>(`/console/views/${view}`).then(
      (info) => live && setState({ kind: 'open', info }),
      (e) =>
        live &&
        setState(
          e instanceof HttpError && e.status === 403
            ? { kind: 'denied' }
            : { kind: 'error', message: String(e.message) },
        ),
    );
    return () => {
      live = false;
    };
  }, [view]);
  return state;
}
