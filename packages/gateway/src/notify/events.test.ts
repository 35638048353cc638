import { AUDIT_EVENT_TYPES } from '@faxgate/audit';
import { describe, expect, it } from 'vitest';
import { OUTCOME_UNKNOWN } from '../pipeline/transitions.js';
import { auditTypesFor, WEBHOOK_EVENTS, webhookEventOf } from './events.js';

describe('webhook events from audit events', () => {
  it('maps the fax outcomes', () => {
    expect(webhookEventOf('send.done', {})).toBe('fax.sent');
    expect(webhookEventOf('send.internal', {})).toBe('fax.sent');
    expect(webhookEventOf('job.dead', {})).toBe('fax.failed');
    expect(webhookEventOf('job.kill', {})).toBe('fax.failed');
    expect(webhookEventOf('job.timedout', {})).toBe('fax.failed');
    expect(webhookEventOf('recv.end', { ok: true })).toBe('fax.received');
    expect(webhookEventOf('recv.end', { ok: false })).toBe('fax.failed');
    expect(webhookEventOf('fax.deliver', { internal: true })).toBe('fax.received');
    expect(webhookEventOf('job.suspend', { cause: OUTCOME_UNKNOWN })).toBe('fax.outcome-unknown');
    expect(webhookEventOf('job.suspend', { cause: 'held by operator' })).toBeUndefined();
    expect(webhookEventOf('job.sleep', {})).toBe('fax.requeued');
    expect(webhookEventOf('job.settle', { decision: 'sent' })).toBe('fax.sent');
    expect(webhookEventOf('job.settle', { decision: 'failed' })).toBe('fax.failed');
    expect(webhookEventOf('send.begin', {})).toBeUndefined();
    expect(webhookEventOf('fax.notify', {})).toBeUndefined();
    expect(webhookEventOf('alert.raised', { key: 'disk.spool' })).toBe('alert.raised');
    expect(webhookEventOf('alert.cleared', { key: 'disk.spool' })).toBe('alert.cleared');
  });

  it('reads only audit types that exist, and every type it maps', () => {
    const all = auditTypesFor(WEBHOOK_EVENTS);
    for (const t of all) expect(AUDIT_EVENT_TYPES).toContain(t);
    for (const t of AUDIT_EVENT_TYPES) {
      const e = webhookEventOf(t, { ok: true, cause: OUTCOME_UNKNOWN, decision: 'sent' });
      if (e) expect(all).toContain(t);
    }
    expect(auditTypesFor(['fax.sent'])).toEqual(['job.settle', 'send.done', 'send.internal']);
  });
});
