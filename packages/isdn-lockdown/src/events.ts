/** What the lockdown reports for the audit trail; the gateway writes these as audit events. */
export interface LockdownEvent {
  /** e.g. lockdown.violation, lockdown.call_rejected, lockdown.profile_changed, lockdown.evidence */
  type: string;
  details: Record<string, unknown>;
}

export type LockdownEventSink = (event: LockdownEvent) => void | Promise<void>;

export interface GuardCounters {
  checked: number;
  allowed: number;
  refused: number;
  refusedByRule: Record<string, number>;
  callsOffered: number;
  callsRejected: number;
  callsRejectedByRule: Record<string, number>;
}

export function newCounters(): GuardCounters {
  return {
    checked: 0,
    allowed: 0,
    refused: 0,
    refusedByRule: {},
    callsOffered: 0,
    callsRejected: 0,
    callsRejectedByRule: {},
  };
}
