// What the Faxes pages read from the API beyond the list's columns.
import type { Fax } from '../../api.js';

/** GET /faxes/:id (the parts a fax's page shows). */
export interface FaxDetail extends Fax {
  subject: string | null;
  remoteStationId: string | null;
  localNumber: string | null;
  tries: number;
  dials: number;
  cause: string | null;
  causeText: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface PageInfo {
  pageNo: number;
}

/** GET /console/faxes/:id/history */
export interface History {
  content: boolean;
  events: Array<{ id: number; time: string; type: string; actor: string; details: Record<string, unknown> }>;
  log: Array<{
    time: string;
    type: string;
    device: string;
    remote: string;
    station: string;
    pages: number;
    durationS: number;
    reason: string;
  }>;
}

/** GET /console/inbox */
export interface Inbox {
  mailboxes: Array<{ id: number; name: string; rights: string[]; unread: number }>;
  unread: number[];
}

export interface CheckAnswer {
  allowed: boolean;
  action: 'dial' | 'internal' | 'refuse' | 'invalid';
  number: string | null;
  mailbox: string | null;
  reason: string | null;
}
