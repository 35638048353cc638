// The last controller evidence lives in the audit trail itself: the newest
// lockdown.evidence / lockdown.profile_changed event carries the snapshot it recorded.
import { appendAuditEvent } from '@faxgate/audit';
import type { EvidenceSnapshot, EvidenceStore, LockdownEvent } from '@faxgate/isdn-lockdown';
import type { Db } from '@faxgate/store';

const EVIDENCE_EVENTS = ['lockdown.evidence', 'lockdown.profile_changed'];

export class AuditEvidenceStore implements EvidenceStore {
  constructor(private readonly db: Db) {}

  async load(): Promise<EvidenceSnapshot | undefined> {
    const row = await this.db('audit_events')
      .whereIn('type', EVIDENCE_EVENTS)
      .orderBy('id', 'desc')
      .first('details');
    const details = row?.details as { snapshot?: EvidenceSnapshot } | undefined;
    return details?.snapshot;
  }

  /** Saving happens through the audit event that `checkEvidence` reports. */
  async save(): Promise<void> {}

  /** When the evidence last changed, and what changed. */
  async lastChange(): Promise<{ at: string; changes: [] } | undefined> {
    const row = await this.db('audit_events')
      .where('type', 'lockdown.profile_changed')
      .orderBy('id', 'desc')
      .first('time', 'details');
    if (!row) return undefined;
    return { at: new Date(row.time).toISOString(), changes: (row.details?.changes ?? []) as [] };
  }
}

/** Writes lockdown events to the audit trail, each in its own transaction. */
export function auditLockdownEvents(db: Db, actor: string): (e: LockdownEvent) => Promise<void> {
  return (e) =>
    db
      .transaction((trx) =>
        appendAuditEvent(trx, {
          type: e.type as Parameters<typeof appendAuditEvent>[1]['type'],
          actor,
          subject: 'lockdown',
          details: e.details,
        }),
      )
      .then(() => undefined);
}
