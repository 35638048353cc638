// Counters a test or an operator can read at any time.

export type CallOutcome =
  | 'completed'
  | 'busy'
  | 'no-answer'
  | 'rejected'
  | 'unallocated'
  | 'incompatible'
  | 'no-channel'
  | 'not-fax'
  | 'remote-abort'
  | 'local-abort'
  | 'line-drop'
  | 'sff-error'
  | 'mode-refused'
  | 'no-listener'
  | 'ignored'
  | 'app-gone'
  | 'error';

export interface CountersSnapshot {
  connections: { open: number; total: number };
  applications: number;
  /** messages by name and direction, e.g. { 'in CONNECT_REQ': 3 } */
  messages: Record<string, number>;
  calls: { outgoing: Record<string, number>; incoming: Record<string, number> };
  channels: { controller: number; busy: number; total: number; plcisInUse: number }[];
  protocolErrors: number;
}

export class Counters {
  connectionsOpen = 0;
  connectionsTotal = 0;
  applications = 0;
  protocolErrors = 0;
  readonly messages = new Map<string, number>();
  readonly outgoing = new Map<string, number>();
  readonly incoming = new Map<string, number>();

  message(dir: 'in' | 'out', name: string): void {
    const k = `${dir} ${name}`;
    this.messages.set(k, (this.messages.get(k) ?? 0) + 1);
  }

  call(direction: 'outgoing' | 'incoming', outcome: CallOutcome): void {
    const m = direction === 'outgoing' ? this.outgoing : this.incoming;
    m.set(outcome, (m.get(outcome) ?? 0) + 1);
  }

  snapshot(channels: CountersSnapshot['channels']): CountersSnapshot {
    return {
      connections: { open: this.connectionsOpen, total: this.connectionsTotal },
      applications: this.applications,
      messages: Object.fromEntries(this.messages),
      calls: { outgoing: Object.fromEntries(this.outgoing), incoming: Object.fromEntries(this.incoming) },
      channels,
      protocolErrors: this.protocolErrors,
    };
  }
}
