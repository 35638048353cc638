// The requirement catalogue of the compliance report, as data: each BSI requirement the
// product supports (prior-art.md §4: old measures M and NET.4.3 A1–A15) with its checker.
// A checker returns what is wrong (not met), or what the operator must still do and record
// (organisational), or nothing (met), and the evidence it looked at.
import type { EventEvidence, Evidence } from './evidence.js';

export type VerdictStatus = 'met' | 'not-met' | 'organisational';

export interface Finding {
  /** What is wrong: the requirement is not met (software-checkable). */
  problems: string[];
  /** What the operator must do and record (only when nothing is wrong). */
  todo?: string;
  evidence: Record<string, unknown>;
}

export interface Requirement {
  id: string;
  title: string;
  check(e: Evidence): Finding;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NO_EVIDENCE = 'no evidence';

function ago(e: Evidence, t: Date | null | undefined): number {
  return t ? e.now.getTime() - new Date(t).getTime() : Number.POSITIVE_INFINITY;
}

const modeOf = (e: Evidence) => (e.config as unknown as { mode?: string }).mode;

function event(ev: EventEvidence | null) {
  return ev ? { time: ev.time, actor: ev.actor, ok: ev.details.ok ?? ev.details.passed ?? null } : null;
}

/** Test phase and pilot before production (M 5.73, A3 (1)): a release recorded, not in pilot mode. */
function releaseProblems(e: Evidence): string[] {
  const mode = modeOf(e);
  if (mode === undefined) return [`${NO_EVIDENCE}: no pilot phase or release built`];
  const p: string[] = [];
  if (mode === 'pilot') p.push('the gateway is in pilot mode (mode: pilot): not released to production');
  if (!e.release) {
    const st = e.selftest;
    const last = st
      ? `; the last selftest (${st.time.toISOString()}) ${st.details.passed === true ? 'passed' : 'FAILED'}`
      : '; no selftest recorded';
    p.push(`no release recorded (faxgate selftest, then faxgate release by a second admin)${last}`);
  }
  return p;
}

function reviewProblems(e: Evidence): string[] {
  if (!e.review.last) return ['no log review recorded (faxgate audit review --from … --to … --note …)'];
  if (e.review.overdue)
    return [
      `log review overdue since ${e.review.dueAt?.toISOString()} (every ${e.config.review.intervalDays} days)`,
    ];
  return [];
}

function verifyProblems(e: Evidence): string[] {
  const p: string[] = [];
  const maxAge = 2 * e.config.review.verifyIntervalMinutes * 60_000;
  if (!e.lastVerify)
    p.push('no audit verify recorded (the daemon runs it on schedule; faxgate audit verify)');
  else if (e.lastVerify.details.ok !== true)
    p.push(`the last audit verify (${e.lastVerify.time.toISOString()}) FAILED`);
  else if (ago(e, e.lastVerify.time) > maxAge)
    p.push(`the last audit verify is older than ${2 * e.config.review.verifyIntervalMinutes} minutes`);
  if (!e.checkpoints.exists) p.push(`no signed checkpoints: ${e.checkpoints.dir} does not exist`);
  else if (!e.checkpoints.ok) p.push(`checkpoints in ${e.checkpoints.dir} do not match the trail`);
  else if (e.checkpoints.matched === 0) p.push(`no checkpoint of this database in ${e.checkpoints.dir}`);
  return p;
}

function lineCheckProblems(e: Evidence): string[] {
  if (e.healthChecks === null)
    return [`${NO_EVIDENCE}: no health check history (scheduled checks of the lines)`];
  const lines = e.healthChecks.filter((c) => c.name.startsWith('line'));
  if (e.config.lines.controllers.length === 0) return ['no lines configured (lines.controllers)'];
  if (lines.length === 0) return [`${NO_EVIDENCE}: no line has been checked yet`];
  return lines
    .filter((c) => !c.ok || ago(e, c.at) > DAY)
    .map((c) =>
      c.ok
        ? `line check ${c.name} is older than a day`
        : `line check ${c.name} failed at ${c.at.toISOString()}`,
    );
}

function controllerProblems(e: Evidence): string[] {
  if (e.config.lines.controllers.length === 0)
    return ['no lines configured (lines.controllers): no controller evidence'];
  if (!e.lockdownEvidence)
    return [`${NO_EVIDENCE}: the controller profile has never been recorded (lockdown.evidence)`];
  const maxAge = 2 * e.config.lockdown.evidenceIntervalMinutes * 60_000;
  if (ago(e, e.lockdownEvidence.time) > maxAge)
    return [`the controller evidence is older than ${2 * e.config.lockdown.evidenceIntervalMinutes} minutes`];
  return [];
}

function retentionProblems(e: Evidence): string[] {
  if (!e.retentionRun)
    return [
      `${NO_EVIDENCE}: no retention run recorded (faxgate retention run; the daemon runs it on schedule)`,
    ];
  if (ago(e, e.retentionRun.time) > 2 * DAY)
    return [`the last retention run (${e.retentionRun.time.toISOString()}) is older than two days`];
  const failed = Number(e.retentionRun.details.failed ?? 0);
  return failed > 0 ? [`the last retention run could not delete ${failed} fax(es)`] : [];
}

function diskProblems(e: Evidence): string[] {
  const cfg = e.config as unknown as Record<string, unknown>;
  if (cfg.disk === undefined) return [`${NO_EVIDENCE}: no disk guard configured`];
  const critical = (e.openAlerts ?? []).filter((a) => a.key.startsWith('disk') && a.severity === 'critical');
  return critical.map((a) => `disk alert open: ${a.summary}`);
}

function archiveDir(e: Evidence): string | null {
  const archive = (e.config as unknown as { archive?: { dir?: unknown } }).archive;
  return typeof archive?.dir === 'string' && archive.dir !== '' ? archive.dir : null;
}

const destinations = (e: Evidence) => e.config.routing.destinations;
const senderBlocks = (e: Evidence) =>
  e.config.lockdown.callerBlocklist.length + e.config.lockdown.tsiBlocklist.length;

export const REQUIREMENTS: readonly Requirement[] = [
  {
    id: 'M 2.178',
    title: 'Security guideline for fax use: an explicit operating mode',
    check: (e) => ({
      problems: [],
      todo: 'write the fax security guideline (which mode, who handles undeliverable faxes) and record where it is kept',
      evidence: {
        'lockdown.mode': e.config.lockdown.mode,
        'routing.inbound.default': e.config.routing.inbound.default,
      },
    }),
  },
  {
    id: 'M 2.179',
    title: 'Rules for fax server use: separate rights, granted to groups',
    check: (e) => ({
      problems: [],
      todo:
        e.grants.direct > 0
          ? `${e.grants.direct} rights are granted to single users: record why each is an exception (faxgate rights review)`
          : undefined,
      evidence: { grantsToGroups: e.grants.viaGroups, grantsToUsers: e.grants.direct, roles: e.roles },
    }),
  },
  {
    id: 'M 2.180',
    title: 'Fax post office: a post office role that sees all faxes, every action logged',
    check: (e) => ({
      problems: [
        ...((e.roles.postoffice ?? 0) === 0 ? ['no enabled user holds the postoffice role'] : []),
        ...(e.deadLetterMailbox
          ? []
          : [`the post office mailbox ${e.config.routing.inbound.default} does not exist`]),
      ],
      evidence: {
        postofficeUsers: e.roles.postoffice ?? 0,
        postofficeMailbox: e.config.routing.inbound.default,
        exists: e.deadLetterMailbox,
      },
    }),
  },
  {
    id: 'M 4.36',
    title: 'Block recipient numbers: deny or allow-only lists enforced server-side',
    check: (e) => {
      const d = destinations(e);
      const any = d.deny.length > 0 || d.allowOnly || d.blockKinds.length > 0;
      return {
        problems: any
          ? []
          : [
              'no destination is blocked: routing.destinations has no deny list, no blocked kinds and allowOnly is off',
            ],
        evidence: { deny: d.deny.length, allowOnly: d.allowOnly, blockKinds: d.blockKinds },
      };
    },
  },
  {
    id: 'M 4.37',
    title: 'Block sender numbers: reject calls by caller number or TSI',
    check: (e) => ({
      problems: [],
      todo:
        senderBlocks(e) === 0
          ? 'no sender is blocked: decide whether a caller or TSI blocklist is needed and record it (both can be suppressed or spoofed)'
          : undefined,
      evidence: {
        callerBlocklist: e.config.lockdown.callerBlocklist.length,
        tsiBlocklist: e.config.lockdown.tsiBlocklist.length,
      },
    }),
  },
  {
    id: 'M 4.59',
    title: 'Disable unneeded ISDN card functions; re-check the card periodically',
    check: (e) => ({
      problems: controllerProblems(e),
      evidence: {
        'lockdown.incomingServices': e.config.lockdown.incomingServices,
        'lockdown.outgoingServices': e.config.lockdown.outgoingServices,
        lastControllerEvidence: event(e.lockdownEvidence),
      },
    }),
  },
  {
    id: 'M 5.25',
    title: 'Use send/receive logs: evaluated on a schedule with named responsibility',
    check: (e) => ({
      // the review records name the reviewer: the named responsibility is on record
      problems: reviewProblems(e),
      evidence: {
        'review.intervalDays': e.config.review.intervalDays,
        lastReview: e.review.last
          ? { from: e.review.last.from, to: e.review.last.to, reviewer: e.review.last.reviewer }
          : null,
        dueAt: e.review.dueAt,
      },
    }),
  },
  {
    id: 'M 5.73',
    title:
      'Secure operation of a fax server: test phase and pilot before production, changes documented, storage limited',
    check: (e) => ({
      problems: [
        ...releaseProblems(e),
        ...(e.configVersions.count === 0 ? ['no configuration version recorded'] : []),
        ...retentionProblems(e),
      ],
      evidence: {
        mode: modeOf(e) ?? null,
        lastSelftest: event(e.selftest),
        lastRelease: event(e.release),
        configVersions: e.configVersions,
        lastRetentionRun: event(e.retentionRun),
      },
    }),
  },
  {
    id: 'M 5.75',
    title: 'Overload protection: channels kept for receiving, disk guarded',
    check: (e) => ({
      problems: [
        ...(e.config.queue.enabled && e.config.queue.receiveReserve < 1
          ? ['queue.receiveReserve is 0: sending can take every channel']
          : []),
        ...diskProblems(e),
      ],
      evidence: { 'queue.receiveReserve': e.config.queue.receiveReserve, openAlerts: e.openAlerts },
    }),
  },
  {
    id: 'M 6.69',
    title: 'Contingency: configuration versioned and exportable, backups, fallback plan',
    check: (e) => ({
      problems: e.configVersions.count === 0 ? ['no configuration version recorded'] : [],
      todo: 'back up the database, spool and checkpoints off the host; keep the archive off-box; document the fallback (plain fax machines)',
      evidence: { configVersions: e.configVersions },
    }),
  },
  {
    id: 'NET.4.3.A1',
    title: 'Placement: received faxes unreadable to the unauthorised',
    check: (e) => ({
      problems: (['spool', 'tmp'] as const).flatMap((k) =>
        !e.paths[k].exists
          ? [`paths.${k} ${e.config.paths[k]} does not exist (the daemon creates it 0700)`]
          : e.paths[k].private
            ? []
            : [`paths.${k} ${e.config.paths[k]} is mode ${e.paths[k].mode}, not private to the service user`],
      ),
      todo: 'plan enough lines and channels for the expected volume',
      evidence: { paths: e.paths },
    }),
  },
  {
    id: 'NET.4.3.A2',
    title: 'Inform staff',
    check: () => ({
      problems: [],
      todo: 'hand users the user guide and the legal limits of fax; record that they got it',
      evidence: {},
    }),
  },
  {
    id: 'NET.4.3.A3',
    title: 'Secure operation: test mode, changes documented, deletion rules, link tests, fax only',
    check: (e) => ({
      problems: [
        ...releaseProblems(e),
        ...(e.configVersions.count === 0 ? ['no configuration version recorded'] : []),
        ...retentionProblems(e),
        ...lineCheckProblems(e),
        ...controllerProblems(e),
        ...(e.lockdownReport
          ? []
          : [`${NO_EVIDENCE}: no lockdown report recorded (faxgate lockdown report)`]),
      ],
      evidence: {
        lastRelease: event(e.release),
        configVersions: e.configVersions,
        lastRetentionRun: event(e.retentionRun),
        healthChecks: e.healthChecks,
        lastLockdownReport: event(e.lockdownReport),
      },
    }),
  },
  {
    id: 'NET.4.3.A4',
    title: 'Fax security guideline: mode, undeliverable faxes, fallback',
    check: (e) => ({
      problems: e.deadLetterMailbox
        ? []
        : [`undeliverable faxes have no mailbox: ${e.config.routing.inbound.default} does not exist`],
      todo: 'write down the operating mode, the handling of undeliverable faxes and the fallback; record where',
      evidence: {
        'lockdown.mode': e.config.lockdown.mode,
        'lockdown.unknownNumber': e.config.lockdown.unknownNumber,
      },
    }),
  },
  {
    id: 'NET.4.3.A5',
    title: 'Withdrawn',
    check: () => ({ problems: [], todo: 'withdrawn from the Kompendium: nothing to do', evidence: {} }),
  },
  {
    id: 'NET.4.3.A6',
    title: 'Procurement: station ids, sending reports, error log and journal',
    check: () => ({
      problems: [],
      evidence: {
        sendReceiveLog: 'xfer_log (HylaFAX xferfaxlog superset)',
        stationIds: 'TSI/CSI recorded per fax',
      },
    }),
  },
  {
    id: 'NET.4.3.A7',
    title: 'Marking outgoing faxes: sender on every fax and cover page',
    check: (e) => ({
      problems:
        e.config.cover.senderOrganisation === ''
          ? ['cover.senderOrganisation is empty: cover pages name no sender organisation']
          : [],
      evidence: {
        'cover.senderOrganisation': e.config.cover.senderOrganisation,
        'cover.senderPhone': e.config.cover.senderPhone,
      },
    }),
  },
  {
    id: 'NET.4.3.A8',
    title: 'Disposal of consumables',
    check: () => ({
      problems: [],
      todo: 'wipe the spool, archive and database disks securely when they are replaced or the server is retired',
      evidence: {},
    }),
  },
  {
    id: 'NET.4.3.A9',
    title: 'Send/receive logs: kept, evaluated, archived, protected',
    check: (e) => ({
      problems: [...reviewProblems(e), ...verifyProblems(e)],
      evidence: {
        lastVerify: event(e.lastVerify),
        checkpoints: e.checkpoints,
        lastReview: e.review.last?.to ?? null,
      },
    }),
  },
  {
    id: 'NET.4.3.A10',
    title: 'Check stored destinations and lists regularly',
    check: (e) => ({
      problems: [],
      todo: 'review destination lists and mailbox numbers regularly and note it in the log review',
      evidence: { deny: destinations(e).deny.length, allow: destinations(e).allow.length },
    }),
  },
  {
    id: 'NET.4.3.A11',
    title: 'Overload protection: faxes no longer needed deleted promptly',
    check: (e) => ({
      problems: [...retentionProblems(e), ...diskProblems(e)],
      evidence: { lastRetentionRun: event(e.retentionRun) },
    }),
  },
  {
    id: 'NET.4.3.A12',
    title: 'Block recipient and sender numbers',
    check: (e) => ({
      problems: [],
      todo:
        senderBlocks(e) === 0 && destinations(e).deny.length === 0 && !destinations(e).allowOnly
          ? 'no number lists in use: decide per situation whether deny or allow-only lists are needed, both directions'
          : undefined,
      evidence: {
        deny: destinations(e).deny.length,
        allowOnly: destinations(e).allowOnly,
        senderBlocks: senderBlocks(e),
      },
    }),
  },
  {
    id: 'NET.4.3.A13',
    title: 'Authorised fax operators',
    check: (e) => ({
      problems: (e.roles.postoffice ?? 0) === 0 ? ['no enabled user holds the postoffice role'] : [],
      todo: 'tell users who operates the fax post office and who is responsible',
      evidence: { postofficeUsers: e.roles.postoffice ?? 0 },
    }),
  },
  {
    id: 'NET.4.3.A14',
    title: 'Copies of inbound faxes: archived in a durable format',
    check: (e) => ({
      problems: archiveDir(e) ? [] : [`${NO_EVIDENCE}: no archive configured (archive.dir)`],
      evidence: { 'archive.dir': archiveDir(e) },
    }),
  },
  {
    id: 'NET.4.3.A15',
    title: 'Announce and confirm important faxes',
    check: () => ({
      problems: [],
      todo: 'agree announcement and confirmation of important faxes with senders and recipients',
      evidence: {},
    }),
  },
];
