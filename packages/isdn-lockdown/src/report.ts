// The lockdown report for admins and auditors: mode, per-controller evidence, guard
// counters, listening sockets, last change — and whether anything violates the policy.

import type { GuardCounters } from './events.js';
import type { EvidenceChange, EvidenceSnapshot } from './evidence.js';
import { type AllowedListener, isAllowedListener, type ListeningSocket } from './host-sockets.js';
import { type LockdownPolicy, listenCipMask } from './policy.js';

export interface ReportInput {
  policy: LockdownPolicy;
  /** The evidence just read, or why it could not be read. */
  evidence: { snapshot: EvidenceSnapshot; changes: EvidenceChange[] } | { error: string };
  sockets: ListeningSocket[];
  allowedListeners: AllowedListener[];
  counters?: GuardCounters;
  /** Guard activity recorded in the audit trail (for a report made outside the daemon). */
  activity?: { since: string; violations: number; callsRejected: number };
  /** When the evidence last changed (from the audit trail), if known. */
  lastChange?: { at: string; changes: EvidenceChange[] };
  /** How the gateway renders submitted documents (render.sandbox); 'none' is warned about. */
  renderSandbox?: 'bubblewrap' | 'none';
}

export interface LockdownReport {
  ok: boolean;
  generatedAt: string;
  mode: LockdownPolicy['mode'];
  listenCipMask: number;
  acceptedServices: number[];
  violations: string[];
  warnings: string[];
  controllers: EvidenceSnapshot['controllers'];
  changesSinceLastCheck: EvidenceChange[];
  lastChange?: ReportInput['lastChange'];
  counters?: GuardCounters;
  activity?: ReportInput['activity'];
  sockets: Array<ListeningSocket & { allowed: boolean; note?: string }>;
  renderSandbox?: ReportInput['renderSandbox'];
}

export function buildReport(input: ReportInput): LockdownReport {
  const violations: string[] = [];
  const warnings: string[] = [];
  const { policy } = input;
  let controllers: EvidenceSnapshot['controllers'] = [];
  let changes: EvidenceChange[] = [];
  if ('error' in input.evidence) {
    violations.push(`controller evidence could not be read: ${input.evidence.error}`);
  } else {
    controllers = input.evidence.snapshot.controllers;
    changes = input.evidence.changes;
    if (controllers.length === 0) violations.push('no CAPI controller found');
    for (const c of controllers) {
      if (!c.faxCapable)
        violations.push(`controller ${c.controller} does not offer the fax protocols the policy uses`);
    }
    for (const ch of changes) {
      warnings.push(
        `controller ${ch.controller} ${ch.field} changed: ${fmt(ch.before)} → ${fmt(ch.after)} (audited)`,
      );
    }
  }
  const sockets = input.sockets.map((s) => {
    const allowed = isAllowedListener(s, input.allowedListeners);
    if (!allowed) {
      violations.push(
        `listening socket ${s.protocol} ${s.address}:${s.port}${s.command ? ` (${s.command}, pid ${s.pid})` : ''} is not a configured faxgate port`,
      );
    }
    return { ...s, allowed: Boolean(allowed), note: allowed?.note };
  });
  if (input.counters && input.counters.refused > 0) {
    warnings.push(`${input.counters.refused} CAPI message(s) refused by the guard (not sent to the card)`);
  }
  if (input.activity && input.activity.violations > 0) {
    warnings.push(
      `${input.activity.violations} CAPI message(s) refused by the guard since ${input.activity.since} (audited, never sent)`,
    );
  }
  if (input.renderSandbox === 'none') {
    warnings.push(
      'render workers run WITHOUT a sandbox (render.sandbox: none): submitted documents are parsed with the network, files and capabilities of the gateway user',
    );
  }
  return {
    ok: violations.length === 0,
    generatedAt: new Date().toISOString(),
    mode: policy.mode,
    listenCipMask: listenCipMask(policy),
    acceptedServices: policy.mode === 'outgoing-only' ? [] : [...policy.incomingServices],
    violations,
    warnings,
    controllers,
    changesSinceLastCheck: changes,
    lastChange: input.lastChange,
    counters: input.counters,
    activity: input.activity,
    sockets,
    ...(input.renderSandbox ? { renderSandbox: input.renderSandbox } : {}),
  };
}

function fmt(v: unknown): string {
  return typeof v === 'number' ? `0x${v.toString(16)}` : String(v);
}

export function formatReport(r: LockdownReport): string {
  const lines: string[] = [];
  lines.push(`faxgate lockdown report — ${r.generatedAt}`);
  lines.push(
    `result:          ${r.ok ? 'OK: fax only, as configured' : `VIOLATIONS (${r.violations.length})`}`,
  );
  lines.push(
    `mode:            ${r.mode}${r.mode === 'outgoing-only' ? ' (LISTEN with an empty CIP mask; every incoming call rejected)' : ''}`,
  );
  lines.push(
    `listen CIP mask: 0x${r.listenCipMask.toString(16).padStart(8, '0')} (services: ${r.acceptedServices.join(', ') || 'none'})`,
  );
  if (r.renderSandbox) lines.push(`render sandbox:  ${r.renderSandbox}`);
  for (const v of r.violations) lines.push(`  ✗ ${v}`);
  for (const w of r.warnings) lines.push(`  ! ${w}`);
  lines.push('', 'controllers:');
  if (r.controllers.length === 0) lines.push('  (none read)');
  for (const c of r.controllers) {
    lines.push(
      `  ${c.controller}: ${c.manufacturer} serial ${c.serial}, ${c.version}, ${c.bChannels} B channels`,
    );
    lines.push(
      `     offered: B1 [${c.offered.b1.join(', ')}] B2 [${c.offered.b2.join(', ')}] B3 [${c.offered.b3.join(', ')}]`,
    );
    lines.push(`     options: ${c.offered.options.join(', ') || 'none'}`);
    lines.push(`     used:    B1 ${c.used.b1.join()} / B2 ${c.used.b2.join()} / B3 ${c.used.b3.join(', ')}`);
    lines.push(`     unused (refused by the guard): ${c.unused.join(', ') || 'none'}`);
  }
  if (r.counters) {
    const c = r.counters;
    lines.push(
      '',
      `guard: ${c.checked} checked, ${c.allowed} allowed, ${c.refused} refused; calls ${c.callsOffered} offered, ${c.callsRejected} rejected`,
    );
  }
  if (r.activity) {
    lines.push(
      '',
      `audited since ${r.activity.since}: ${r.activity.violations} refused message(s), ${r.activity.callsRejected} rejected call(s)`,
    );
  }
  if (r.lastChange) lines.push(`last change: ${r.lastChange.at} (${r.lastChange.changes.length} field(s))`);
  lines.push('', 'listening sockets:');
  for (const s of r.sockets) {
    const who = s.command ? ` ${s.command}[${s.pid}]` : '';
    lines.push(
      `  ${s.allowed ? 'ok ' : 'BAD'} ${s.protocol.padEnd(4)} ${s.address}:${s.port}${who}${s.note ? ` — ${s.note}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
