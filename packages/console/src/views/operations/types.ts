// What GET /api/v1/console/operations answers and /console/operations/events pushes.
export interface QueueState {
  state: string;
  count: number;
  oldestAt: string;
}

export interface QueuedFax {
  id: number;
  state: string;
  remoteNumber: string | null;
  priority: number;
  pagesTotal: number;
  pagesDone: number;
  dials: number;
  cause: string | null;
  causeText: string | null;
  createdAt: string;
  notBefore: string | null;
}

export interface FailedFax {
  id: number;
  remoteNumber: string | null;
  cause: string | null;
  causeText: string | null;
  completedAt: string | null;
}

export interface FailureCause {
  direction: 'in' | 'out';
  cause: string;
  count: number;
  example: string | null;
  lastAt: string;
}

export interface HourBucket {
  hour: string;
  sent: number;
  failed: number;
  received: number;
}

export interface ChannelSlot {
  channel: number;
  state: 'idle' | 'sending' | 'receiving';
  faxId?: number;
}

export interface Line {
  name: string;
  controller: number;
  state: 'up' | 'down' | 'unknown' | 'out-of-service';
  since: string | null;
  lastError: string | null;
  reconnectAttempts: number;
  bChannels: number | null;
  outOfService?: { reason: string; setBy: string; since: string } | null;
  channels: ChannelSlot[];
}

export interface Lines {
  transport: string;
  controllers: number[];
  channels?: { total: number; usable: number; inUse: number; receiving: number; reserve: number };
  lines?: Line[];
}

export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
  at: string;
}

export interface DiskTarget {
  name: string;
  freePercent?: number;
  sizeBytes?: number;
  error?: string;
}

export interface Health {
  checks: HealthCheck[];
  disk: { level: string; checkedAt: string | null; targets: DiskTarget[]; refusing: string | null } | null;
}

export interface Operations {
  now: string;
  queue: QueueState[];
  faxes: QueuedFax[];
  failed: FailedFax[];
  finished: Record<string, number>;
  failures: FailureCause[];
  perHour: HourBucket[];
  lines: Lines | null;
  health: Health | null;
}
