// What the v1 routes work with: the database, the configuration, this process's send queue
// (when the queue runs here), the document loader, and who is asking.
// Type augmentations: cookies on requests and replies; OpenAPI keys (tags, summary) in route schemas.
import type {} from '@fastify/cookie';
import type {} from '@fastify/multipart';
import type {} from '@fastify/swagger';
import type { Credential, Db, User } from '@faxgate/store';
import type { FastifyRequest } from 'fastify';
import type { CheckResult } from '../checks/runner.js';
import type { FaxgateConfig } from '../config/schema.js';
import type { DiskState } from '../disk/guard.js';
import type { DocumentLoader } from '../documents/load-pages.js';
import type { LineWithChannels } from '../lines/view.js';
import type { SendQueue } from '../pipeline/queue.js';
import type { QueueSettings } from '../pipeline/settings.js';
import type { StopContext } from '../pipeline/stop.js';
import type { ReloadResult } from '../reload/config-reload.js';
import { ApiError } from './errors.js';

export interface ApiServices {
  db: Db;
  config: FaxgateConfig;
  /** This process's send queue; without it an accepted fax waits for the reconciler. */
  queue?: SendQueue;
  stopContext?: StopContext;
  settings: QueueSettings;
  documents: DocumentLoader;
  /** B channels and controller evidence for GET /lines, when lines run in this process. */
  lines?: () => {
    channels?: { total: number; usable: number; inUse: number; receiving: number; reserve: number };
    /** Each controller's line state and B channels (line supervision). */
    lines?: LineWithChannels[];
    evidence?: unknown;
  };
  /**
   * Calls `fn` when a line or a B channel of this process changes (the console's live
   * operations view); returns the function that stops it. Absent when no lines run here.
   */
  watchLines?: (fn: () => void) => () => void;
  /** Follow line_service now (after a line was taken out of service or back), when lines run here. */
  refreshLines?: () => Promise<void>;
  /**
   * `faxgate config reload`: re-reads the file, applies the live keys (this object's `config`
   * is replaced then) and records the version with `actor` as author. Absent: 503.
   */
  reloadConfig?: (actor: string, reason?: string) => Promise<ReloadResult>;
  /** This node's disk guard (disk/): its state, and why submissions are refused (507) now. */
  disk?: { state(): DiskState; refusal(): string | undefined };
  /** Runs the health checks now (checks/), recorded like a scheduled run. Absent: 503. */
  runHealthChecks?: () => Promise<CheckResult[]>;
  /** Where a 500's cause goes. */
  logError(message: string): void;
}

/** The authenticated caller of a request. */
export interface Principal {
  user: User;
  credential: Credential;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The caller, or 401 when the route was reached without credentials. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError(401, 'unauthenticated', 'log in or present an API token');
  return req.principal;
}

/** How the audit trail names an API caller. */
export function actorName(p: Principal): string {
  return p.user.name;
}
