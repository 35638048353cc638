// The gateway's API from the console: same origin, the session cookie (HttpOnly — the page
// never sees the secret), and the header the CSRF rule asks for on every change.
export const API = '/api/v1';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.method && init.method !== 'GET') headers['x-faxgate-request'] = '1';
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(API + path, {
    method: init.method ?? 'GET',
    headers,
    credentials: 'same-origin',
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (!r.ok) {
    let message = r.statusText;
    try {
      message = ((await r.json()) as { error?: { message?: string } }).error?.message ?? message;
    } catch {}
    throw new HttpError(r.status, message);
  }
  return (r.status === 204 ? undefined : await r.json()) as T;
}

export type View = 'faxes' | 'operations' | 'auditor' | 'administration';

export interface Session {
  user: { id: number; name: string; displayName: string; roles: string[] };
  views: View[];
  actions: string[];
}

/** The columns of a fax the list shows (the listing API and the event stream both carry them). */
export interface Fax {
  id: number;
  direction: 'in' | 'out';
  state: string;
  mailboxId: number | null;
  remoteNumber: string | null;
  pagesTotal: number;
  pagesDone: number;
  updatedAt: string;
}

export interface FaxRow {
  fax: Fax;
  owner: string | null;
  mailbox: string | null;
}
