// One client connection of the HylaFAX protocol: log-in, uploads, jobs, queue listings and
// received faxes. Every action goes through faxgate's one authorisation layer as the API's do:
// the password check and the login throttle of the API, can() with refusals audited
// (access.denied, via hylafax), the visibility rule for listings, and the pipeline functions
// behind POST /faxes, PATCH /faxes/{id}, /stop and DELETE.
import type net from 'node:net';
import type tls from 'node:tls';
import { appendAuditEvent } from '@faxgate/audit';
import { readTiff, writeTiff } from '@faxgate/fax-core';
import {
  can,
  credentials,
  type Fax,
  faxes,
  faxPages,
  mailboxes,
  type Permission,
  users,
} from '@faxgate/store';
import type { ApiServices, Principal } from '../api/context.js';
import { ApiError, toApiError } from '../api/errors.js';
import { canReadContent, canSeeMetadata, listVisible, sendingMailbox } from '../api/fax-access.js';
import type { LoginThrottle } from '../api/login-throttle.js';
import { currentRouter } from '../api/routes/faxes.js';
import type { DocumentFile } from '../documents/load-pages.js';
import { damageCheck } from '../intake/admit.js';
import type { PageDamage } from '../intake/damage.js';
import { deleteFax } from '../pipeline/delete.js';
import { type ModifyChanges, modifyFax, rescheduleOnly } from '../pipeline/modify.js';
import { stopFax } from '../pipeline/stop.js';
import { submitFax } from '../pipeline/submit.js';
import type { HylafaxConfig } from './config.js';
import { DataChannel, DataError, parseEprt, parsePort, receiveUpload, sendData } from './data-channel.js';
import { DEFAULT_JOBFMT, DEFAULT_MDMFMT, DEFAULT_RCVFMT, formatLine, validFormat } from './formats.js';
import {
  getParam,
  type JobDraft,
  killTimeOf,
  ParamError,
  parseLastTime,
  parseSendTime,
  setParam,
} from './job-params.js';
import { postscriptToPdf } from './postscript.js';
import { type Command, parseCommand, reply, splitParam, unquote } from './protocol.js';
import {
  DONEQ_STATES,
  jobFields,
  RECVQ_STATES,
  recvFields,
  recvFileId,
  recvFileName,
  SENDQ_STATES,
} from './queues.js';

export interface HylafaxContext {
  api: ApiServices;
  config: HylafaxConfig;
  throttle: LoginThrottle;
  /** The TLS context of data connections when the listener speaks TLS. */
  secure?: tls.SecureContext;
  /** Who we are in the greeting and `LIST status`. */
  serverName: string;
  log(message: string): void;
}

type Form = 'PS' | 'PDF' | 'TIFF';
interface Upload {
  form: Form;
  data: Buffer;
}

/** An alteration of an existing fax (faxalter: JOB n, JSUSP, JPARM …, JSUBM). */
interface Alteration {
  faxId: number;
  sendAt?: Date | null;
  priority?: number;
  lastMinutes?: number;
  number?: string;
  resolution?: 'standard' | 'fine';
}

const NOT_LOGGED_IN = [530, 'Please login with USER and PASS.'] as const;
const MAX_UPLOADS = 20;
const MAX_DRAFTS = 10;
const PRE_LOGIN = new Set(['USER', 'PASS', 'QUIT', 'NOOP', 'SYST', 'HELP', 'FEAT']);
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An error that is answered with its own code (not an internal fault). */
class Refusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** An API error's status → a reply code of the protocol. */
function codeOf(e: ApiError): number {
  if (e.status === 403 || e.status === 404 || e.status === 410) return 550;
  if (e.status === 409) return 504;
  if (e.status === 413) return 552;
  if (e.status === 503 || e.status === 507 || e.status === 429) return 451;
  if (e.status >= 500) return 451;
  return 501;
}

export class HylafaxSession {
  private principal?: Principal;
  private pendingUser?: string;
  private tzLocal = false;
  private mode: 'S' | 'Z' = 'S';
  private form: Form = 'PS';
  private jobFmt = DEFAULT_JOBFMT;
  private rcvFmt = DEFAULT_RCVFMT;
  private mdmFmt = DEFAULT_MDMFMT;
  private readonly uploads = new Map<string, Upload>();
  private uploadBytes = 0;
  private uploadSeq = 0;
  private readonly drafts = new Map<number, JobDraft>();
  private current?: number;
  private alteration?: Alteration;
  private readonly data: DataChannel;
  private closed = false;

  constructor(
    private readonly ctx: HylafaxContext,
    private readonly socket: net.Socket,
    private readonly remote: string,
  ) {
    this.data = new DataChannel(socket, ctx.secure);
  }

  greeting(): string {
    return reply(220, `${this.ctx.serverName} server (faxgate HylaFAX-compatible) ready.`);
  }

  private send(code: number, text: string): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(reply(code, text));
  }

  /** Handles one command line; resolves when its reply (and any data transfer) is done. */
  async handle(line: string): Promise<void> {
    const cmd = parseCommand(line);
    if (!cmd) return this.send(500, 'Syntax error, command unrecognized.');
    if (!this.principal && !PRE_LOGIN.has(cmd.verb)) return this.send(...NOT_LOGGED_IN);
    try {
      await this.dispatch(cmd);
    } catch (e) {
      if (e instanceof Refusal) return this.send(e.code, e.message);
      if (e instanceof DataError) return this.send(426, `Data connection: ${e.message}.`);
      if (e instanceof ParamError) return this.send(503, e.message);
      const api = toApiError(e);
      if (api.status >= 500 && !(e instanceof ApiError))
        this.ctx.log(`${cmd.verb} from ${this.remote}: ${(e as Error).stack ?? e}`);
      this.send(
        codeOf(api),
        api.status >= 500 && !(e instanceof ApiError) ? 'Internal error; see the gateway log.' : api.message,
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.data.close();
    const p = this.principal;
    this.principal = undefined;
    if (p) await credentials.revoke(this.ctx.api.db, p.credential.id).catch(() => {});
  }

  private async dispatch({ verb, arg }: Command): Promise<void> {
    switch (verb) {
      case 'USER':
        return this.user(arg);
      case 'PASS':
        return this.pass(arg);
      case 'QUIT':
        this.send(221, 'Goodbye.');
        this.socket.end();
        return;
      case 'NOOP':
        return this.send(200, 'NOOP command successful.');
      case 'SYST':
        return this.send(215, 'UNIX Type: L8 Version: faxgate');
      case 'HELP':
      case 'FEAT':
        return this.send(
          214,
          'Commands: USER PASS QUIT NOOP TZONE TYPE MODE STRU FORM PORT EPRT PASV EPSV STOT STOR JNEW JOB JPARM JSUBM JSUSP JKILL JDELE JOBFMT RCVFMT MDMFMT LIST NLST RETR.',
        );
      case 'TZONE': {
        const z = unquote(arg)?.toUpperCase();
        if (z !== 'GMT' && z !== 'LOCAL') return this.send(501, 'TZONE: expected GMT or LOCAL.');
        this.tzLocal = z === 'LOCAL';
        return this.send(200, `Time zone set to ${z}.`);
      }
      case 'TYPE':
        if (!/^[AI]( N)?$/i.test(arg) && !/^L 8$/i.test(arg)) return this.send(504, 'Type not supported.');
        return this.send(200, `Type set to ${arg.toUpperCase()}.`);
      case 'STRU':
        if (arg.toUpperCase() !== 'F') return this.send(504, 'Only file structure (F) is supported.');
        return this.send(200, 'STRU F ok.');
      case 'MODE': {
        const m = arg.toUpperCase();
        if (m !== 'S' && m !== 'Z')
          return this.send(504, 'Only stream (S) and zlib (Z) modes are supported.');
        this.mode = m;
        return this.send(200, `Mode set to ${m}.`);
      }
      case 'FORM': {
        const f = arg.toUpperCase();
        if (f !== 'PS' && f !== 'PDF' && f !== 'TIFF')
          return this.send(504, `Format ${JSON.stringify(arg.slice(0, 20))} not supported (PS, PDF, TIFF).`);
        this.form = f;
        return this.send(200, `Format set to ${f}.`);
      }
      case 'PORT':
      case 'EPRT': {
        const target = verb === 'PORT' ? parsePort(arg) : parseEprt(arg);
        if (!target) return this.send(501, `${verb}: bad address.`);
        const refused = this.data.setActive(target);
        if (refused) return this.send(504, `${verb} refused: ${refused}.`);
        return this.send(200, `${verb} command successful.`);
      }
      case 'PASV':
      case 'EPSV': {
        const { host, port } = await this.data.setPassive();
        if (verb === 'EPSV') return this.send(229, `Entering Extended Passive Mode (|||${port}|)`);
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) return this.send(501, 'PASV needs IPv4; use EPSV.');
        return this.send(
          227,
          `Entering Passive Mode (${host.replace(/\./g, ',')},${port >> 8},${port & 255})`,
        );
      }
      case 'STOT':
      case 'STOR':
        return this.store();
      case 'JNEW':
        return this.jnew();
      case 'JOB':
        return this.job(arg);
      case 'JPARM':
        return this.jparm(arg);
      case 'JSUBM':
        return this.jsubm(arg);
      case 'JSUSP':
        return this.jsusp(arg);
      case 'JKILL':
        return this.jkill(arg);
      case 'JDELE':
        return this.jdele(arg);
      case 'JINTR':
        return this.send(504, 'JINTR is not offered: stop the job with JKILL (faxrm).');
      case 'JOBFMT':
      case 'RCVFMT':
      case 'MDMFMT':
        return this.format(verb, arg);
      case 'LIST':
      case 'NLST':
        return this.list(verb, arg);
      case 'RETR':
        return this.retr(arg);
      default:
        return this.send(502, `${verb} is not offered by this server.`);
    }
  }

  // --- log-in -------------------------------------------------------------------------------

  private user(arg: string): void {
    const name = unquote(arg) ?? '';
    if (this.principal) this.send(503, 'Already logged in.');
    else if (!name || name.length > 64 || CONTROL.test(name)) this.send(501, 'USER: a user name is needed.');
    else {
      this.pendingUser = name;
      this.send(331, `Password required for ${name}.`);
    }
  }

  private async pass(arg: string): Promise<void> {
    const name = this.pendingUser;
    if (this.principal) return this.send(503, 'Already logged in.');
    if (name === undefined) return this.send(503, 'Login with USER first.');
    this.pendingUser = undefined;
    const { db, config } = this.ctx.api;
    const { throttle } = this.ctx;
    // Counted before the password is checked, as for the API (login-throttle.ts).
    const verdict = await throttle.begin(name, this.remote);
    if (!verdict.allowed) {
      await throttle.failed(name, this.remote, 'throttled', verdict.by);
      return this.send(530, `Too many login attempts; try again in ${verdict.retryAfter} s.`);
    }
    const result = await users.verifyPassword(db, name, arg.slice(0, 1024));
    if (!result.ok) {
      await throttle.failed(name, this.remote, result.reason);
      return this.send(530, 'Login incorrect.');
    }
    await throttle.succeeded(name, this.remote);
    const { credential } = await credentials.issue(db, {
      kind: 'session',
      user: result.user.id,
      name: 'hylafax client',
      expiresAt: new Date(Date.now() + config.api.sessionHours * 3_600_000),
      remoteAddr: this.remote,
    });
    this.principal = { user: result.user, credential };
    await this.audit('auth.login', result.user.name, result.user.name, {
      session: credential.id,
      remote: this.remote,
    });
    this.send(230, 'User logged in.');
  }

  private get p(): Principal {
    if (!this.principal) throw new Refusal(...NOT_LOGGED_IN);
    return this.principal;
  }

  private audit(
    type: Parameters<typeof appendAuditEvent>[1]['type'],
    actor: string,
    subject: string,
    details: Record<string, unknown>,
  ): Promise<unknown> {
    return this.ctx.api.db.transaction((trx) =>
      appendAuditEvent(trx, { type, actor, subject, details: { ...details, via: 'hylafax' } }),
    );
  }

  /** can(), a refusal recorded as access.denied and answered 550. */
  private async require(permission: Permission, what: string, mailboxId?: number): Promise<void> {
    const p = this.p;
    if (await can(this.ctx.api.db, { id: p.user.id }, permission, mailboxId)) return;
    await this.audit('access.denied', p.user.name, what, {
      permission,
      ...(mailboxId === undefined ? {} : { mailboxId }),
    });
    throw new Refusal(550, `${p.user.name} may not ${what}.`);
  }

  // --- documents --------------------------------------------------------------------------

  private async store(): Promise<void> {
    if (!this.data.ready) return this.send(503, 'Use PORT, EPRT, PASV or EPSV first.');
    if (this.uploads.size >= MAX_UPLOADS)
      return this.send(552, `At most ${MAX_UPLOADS} documents per session.`);
    const ext = { PS: 'ps', PDF: 'pdf', TIFF: 'tif' }[this.form];
    const name = `/tmp/doc${++this.uploadSeq}.${ext}`;
    const max = this.ctx.config.uploadMaxMegabytes * 1024 * 1024;
    // A session holds at most twice the size of one document in all (uploads wait for JSUBM).
    const room = Math.min(max, 2 * max - this.uploadBytes);
    if (room <= 0)
      return this.send(552, 'The documents of this session are too large together; submit or reconnect.');
    const socket = await this.data.open();
    this.send(150, `FILE: ${name} (Opening new data connection).`);
    const data = await receiveUpload(socket, this.mode, room, 60_000);
    if (data.length === 0) return this.send(554, 'Empty document.');
    this.uploadBytes += data.length;
    this.uploads.set(name, { form: this.form, data });
    this.send(226, `Transfer complete (FILE: ${name}).`);
  }

  // --- jobs -------------------------------------------------------------------------------

  private async jnew(): Promise<void> {
    if (this.drafts.size >= MAX_DRAFTS) return this.send(503, `At most ${MAX_DRAFTS} unsubmitted jobs.`);
    const id = await faxes.reserveId(this.ctx.api.db);
    this.drafts.set(id, { documents: [] });
    this.current = id;
    this.alteration = undefined;
    this.send(200, `New job created: jobid: ${id} groupid: ${id}.`);
  }

  private jobId(arg: string): number {
    const a = unquote(arg) ?? '';
    if (a === '') {
      if (this.current === undefined) throw new Refusal(503, 'No current job.');
      return this.current;
    }
    if (!/^[0-9]{1,15}$/.test(a)) throw new Refusal(501, 'Expected a job id.');
    return Number(a);
  }

  /** An existing outgoing fax the user may see; 550 otherwise (no probing of others' jobs). */
  private async visibleJob(id: number): Promise<Fax> {
    const fax = await faxes.find(this.ctx.api.db, id);
    if (fax?.direction !== 'out' || !(await canSeeMetadata(this.ctx.api.db, this.p, fax)))
      throw new Refusal(550, `Job ${id} does not exist or is not yours to see.`);
    return fax;
  }

  private async job(arg: string): Promise<void> {
    const id = this.jobId(arg);
    if (!this.drafts.has(id)) await this.visibleJob(id);
    this.current = id;
    this.send(200, `Current job: jobid: ${id} groupid: ${id}.`);
  }

  private async jparm(arg: string): Promise<void> {
    const param = splitParam(arg);
    if (!param) return this.send(501, 'JPARM: expected a parameter name.');
    if (this.current === undefined) return this.send(503, 'No current job: use JNEW or JOB first.');
    const draft = this.drafts.get(this.current);
    if (param.value === null) {
      const v = draft ? getParam(draft, param.name) : undefined;
      return this.send(213, v ?? '');
    }
    if (draft) {
      const used = setParam(draft, param.name, param.value, new Date());
      return this.send(213, `${param.name} ${used ? 'set' : 'accepted (no effect in faxgate)'}.`);
    }
    // An existing job: collect what faxalter changes, applied at JSUBM.
    const alt = this.alteration?.faxId === this.current ? this.alteration : { faxId: this.current };
    this.alteration = alt;
    const v = param.value;
    switch (param.name) {
      case 'SENDTIME': {
        const t = parseSendTime(v, new Date());
        if (!t) throw new ParamError('SENDTIME: expected NOW or YYYYMMDDHHMM (GMT)');
        alt.sendAt = v.toUpperCase() === 'NOW' ? null : t;
        break;
      }
      case 'SCHEDPRI': {
        if (!/^[0-9]{1,3}$/.test(v) || Number(v) > 255) throw new ParamError('SCHEDPRI: expected 0..255');
        alt.priority = Number(v);
        break;
      }
      case 'LASTTIME': {
        const m = parseLastTime(v);
        if (m === null) throw new ParamError('LASTTIME: expected DDHHMM');
        alt.lastMinutes = m;
        break;
      }
      case 'DIALSTRING':
        alt.number = v;
        break;
      case 'VRES':
        if (v !== '98' && v !== '196') throw new ParamError('VRES: expected 98 or 196');
        alt.resolution = v === '98' ? 'standard' : 'fine';
        break;
      default:
        return this.send(504, `${param.name} cannot be changed on a submitted job.`);
    }
    this.send(213, `${param.name} set.`);
  }

  private async jsusp(arg: string): Promise<void> {
    const id = this.jobId(arg);
    const fax = await this.visibleJob(id);
    // The operator (queue.manage) may reschedule any fax; the changes are checked again at JSUBM.
    if (!(await can(this.ctx.api.db, { id: this.p.user.id }, 'queue.manage')))
      await this.require('out.modify', `modify fax ${fax.id}`, fax.mailboxId ?? undefined);
    this.current = id;
    this.alteration = { faxId: id };
    // The changes that follow are applied in one modify at JSUBM (pipeline/modify.ts).
    this.send(200, `Job ${id} suspended for changes; JSUBM applies them.`);
  }

  private async jsubm(arg: string): Promise<void> {
    const id = this.jobId(arg);
    const draft = this.drafts.get(id);
    if (draft) return this.submit(id, draft);
    const alt = this.alteration?.faxId === id ? this.alteration : undefined;
    this.alteration = undefined;
    if (!alt) {
      await this.visibleJob(id);
      return this.send(200, `Job ${id} submitted (nothing changed).`);
    }
    return this.alter(alt);
  }

  private async alter(alt: Alteration): Promise<void> {
    const { db } = this.ctx.api;
    const p = this.p;
    const fax = await this.visibleJob(alt.faxId);
    const base = alt.sendAt === undefined ? (fax.notBefore ?? new Date()) : (alt.sendAt ?? new Date());
    const changes: ModifyChanges = {
      number: alt.number,
      sendAt: alt.sendAt,
      priority: alt.priority,
      resolution: alt.resolution,
      killTime:
        alt.lastMinutes === undefined ? undefined : new Date(base.getTime() + alt.lastMinutes * 60_000),
    };
    if (Object.values(changes).every((v) => v === undefined))
      return this.send(200, `Job ${fax.id} submitted.`);
    // As PATCH /faxes/{id}: the operator reschedules any fax; the rest is out.modify.
    const operator =
      rescheduleOnly({ ...changes, killTime: changes.killTime && new Date(0) }) &&
      (await can(db, { id: p.user.id }, 'queue.manage'));
    if (!operator) await this.require('out.modify', `modify fax ${fax.id}`, fax.mailboxId ?? undefined);
    const result = await modifyFax(
      { db, queue: this.ctx.api.queue, router: await currentRouter(this.ctx.api) },
      { actor: { id: p.user.id }, faxId: fax.id, changes },
    );
    this.send(200, `Job ${fax.id} submitted (${result.changed.join(', ') || 'unchanged'}).`);
  }

  private async documentsOf(draft: JobDraft): Promise<DocumentFile[]> {
    const names = [...(draft.cover ? [draft.cover] : []), ...draft.documents];
    if (draft.documents.length === 0) throw new Refusal(503, 'Job not submitted: no DOCUMENT given.');
    const files: DocumentFile[] = [];
    for (const name of names) {
      const u = this.uploads.get(name);
      if (!u) throw new Refusal(550, `Job not submitted: ${name} was not uploaded in this session.`);
      let data: Uint8Array = u.data;
      if (u.form === 'PS' || u.data.subarray(0, 2).toString('latin1') === '%!') {
        const c = this.ctx.config;
        data = await postscriptToPdf(u.data, {
          seconds: c.postscriptSeconds,
          memoryBytes: c.postscriptMemoryMegabytes * 1024 * 1024,
          maxOutputBytes: c.uploadMaxMegabytes * 1024 * 1024,
        }).catch((e: Error) => {
          throw new Refusal(554, `Job not submitted: ${name}: ${e.message}`);
        });
      }
      files.push({ name: name.replace(/^\/tmp\//, ''), data });
    }
    return files;
  }

  private async submit(id: number, draft: JobDraft): Promise<void> {
    const services = this.ctx.api;
    const { db } = services;
    const p = this.p;
    if (!draft.number) return this.send(503, 'Job not submitted: no DIALSTRING given.');
    const full = services.disk?.refusal();
    if (full) return this.send(451, `Job not submitted: ${full}`);
    const mailboxId = await sendingMailbox(db, p, undefined).catch(async (e) => {
      // No outgoing mailbox the user may send from: a refusal like any other, on record.
      if (e instanceof ApiError && e.status === 403)
        await this.require('out.send', 'send from any outgoing mailbox');
      throw e;
    });
    await this.require('out.send', `send from mailbox ${mailboxId}`, mailboxId);
    const files = await this.documentsOf(draft);
    const resolution = draft.vres === 98 ? 'standard' : 'fine';
    const damaged: PageDamage[] = [];
    const pages = await services.documents.load(files, resolution, undefined, damaged);
    const damage = damageCheck(services.config.intake.damage, damaged, false);
    const now = new Date();
    const hylafax = {
      toUser: draft.toUser,
      toCompany: draft.toCompany,
      fromUser: draft.fromUser,
      notify: draft.notify,
      notifyAddress: draft.notifyAddress,
    };
    const result = await submitFax(
      { db, queue: services.queue, router: await currentRouter(services), settings: services.settings },
      {
        actor: { id: p.user.id },
        mailboxId,
        number: draft.number,
        pages,
        priority: draft.priority,
        sendAt: draft.sendAt,
        killTime: killTimeOf(draft, now),
        resolution,
        subject: draft.regarding,
        jobTag: draft.jobTag,
        faxId: id,
        origin: { ...damage, via: 'hylafax', hylafax },
      },
    );
    this.drafts.delete(id);
    for (const name of [draft.cover, ...draft.documents]) if (name) this.uploads.delete(name);
    await this.setNotifyAddress(result.fax.id, draft);
    this.send(200, `Job ${result.fax.id} submitted.`);
  }

  /** faxes.notify_address (when the column exists: mail notifications) for NOTIFY done. */
  private async setNotifyAddress(faxId: number, draft: JobDraft): Promise<void> {
    const a = draft.notifyAddress;
    if (!a || !draft.notify || draft.notify === 'none') return;
    if (!/^[^@\s"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(a)) return;
    const { db } = this.ctx.api;
    const { rows } = await db.raw(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'faxes' AND column_name = 'notify_address'`,
    );
    if (rows.length === 0) return;
    await db('faxes')
      .where({ id: faxId })
      .update({ notify_address: a })
      .catch(() => {});
  }

  private async jkill(arg: string): Promise<void> {
    const id = this.jobId(arg);
    if (this.drafts.delete(id)) return this.send(200, `Job ${id} killed.`);
    const { db } = this.ctx.api;
    const p = this.p;
    const fax = await this.visibleJob(id);
    // As POST /faxes/{id}/stop: the operator stops any fax; a user needs out.stop.
    if (!(await can(db, { id: p.user.id }, 'queue.manage')))
      await this.require('out.stop', `stop fax ${fax.id}`, fax.mailboxId ?? undefined);
    const r = await stopFax(this.ctx.api.stopContext ?? { db, queue: this.ctx.api.queue }, {
      actor: { id: p.user.id },
      faxId: fax.id,
    });
    if (r.was === 'finished') return this.send(504, `Job ${id} is already finished.`);
    this.send(200, `Job ${id} killed.`);
  }

  private async jdele(arg: string): Promise<void> {
    const id = this.jobId(arg);
    if (this.drafts.delete(id)) return this.send(200, `Job ${id} deleted.`);
    const fax = await this.visibleJob(id);
    await this.require('out.delete', `delete fax ${fax.id}`, fax.mailboxId ?? undefined);
    const { db, queue } = this.ctx.api;
    await deleteFax({ db, queue }, { actor: { id: this.p.user.id }, faxId: fax.id });
    this.send(200, `Job ${id} deleted.`);
  }

  // --- status -----------------------------------------------------------------------------

  private format(verb: 'JOBFMT' | 'RCVFMT' | 'MDMFMT', arg: string): void {
    const key = ({ JOBFMT: 'jobFmt', RCVFMT: 'rcvFmt', MDMFMT: 'mdmFmt' } as const)[verb];
    // Without an argument: the format in use (faxstat builds its header from it).
    const f = arg === '' ? this[key] : unquote(arg);
    if (f === null || !validFormat(f)) this.send(501, `${verb}: bad format string.`);
    else if (arg === '') this.send(200, f);
    else {
      this[key] = f;
      this.send(200, `${verb} set.`);
    }
  }

  private async list(verb: 'LIST' | 'NLST', arg: string): Promise<void> {
    const dir = (unquote(arg) ?? '').replace(/^\/|\/$/g, '') || 'status';
    const text = await this.listing(dir, verb === 'NLST');
    if (text === null) return this.send(550, `${dir}: no such queue (status, sendq, doneq, recvq).`);
    if (!this.data.ready) return this.send(503, 'Use PORT, EPRT, PASV or EPSV first.');
    const socket = await this.data.open();
    this.send(150, `Opening new data connection for "${dir}".`);
    await sendData(socket, Buffer.from(text, 'utf8'));
    this.send(226, 'Transfer complete.');
  }

  private async listing(dir: string, namesOnly: boolean): Promise<string | null> {
    const { db } = this.ctx.api;
    const p = this.p;
    const now = new Date();
    const t = { local: this.tzLocal };
    const lines = (xs: string[]) => xs.map((l) => `${l}\n`).join('');
    if (dir === 'status') {
      if (namesOnly) return '';
      const state = this.ctx.api.disk?.refusal() ? 'Refusing work (disk)' : 'Running';
      return lines([
        `faxgate on ${this.ctx.serverName}: ${state}`,
        formatLine(
          this.mdmFmt,
          (l) => ({ m: 'faxgate', s: 'CAPI lines (see faxgate status)', h: this.ctx.serverName })[l],
        ),
      ]);
    }
    if (dir === 'sendq' || dir === 'doneq') {
      const items = await listVisible(db, p, {
        direction: 'out',
        states: dir === 'sendq' ? SENDQ_STATES : DONEQ_STATES,
        limit: 500,
      });
      if (namesOnly) return lines(items.map((f) => `q${f.id}`));
      return lines(items.map((f) => formatLine(this.jobFmt, jobFields(f, now, t))));
    }
    if (dir === 'recvq') {
      const items = await listVisible(db, p, { direction: 'in', states: RECVQ_STATES, limit: 500 });
      if (namesOnly) return lines(items.map((f) => recvFileName(f.id)));
      const names = new Map((await mailboxes.list(db)).map((m) => [m.id, m.name]));
      return lines(
        items.map((f) => formatLine(this.rcvFmt, recvFields(f, names.get(f.mailboxId ?? 0) ?? '', t))),
      );
    }
    if (dir === 'docq' || dir === 'tmp') {
      if (dir === 'docq') return '';
      return lines([...this.uploads.keys()].map((n) => (namesOnly ? n : `${n.slice(5)}`)));
    }
    return null;
  }

  private async retr(arg: string): Promise<void> {
    const name = unquote(arg) ?? '';
    const id = recvFileId(name);
    if (id === null)
      return this.send(
        550,
        `${name.slice(0, 80)}: only received faxes (recvq/faxNNNNNNNN.tif) can be fetched.`,
      );
    const { db } = this.ctx.api;
    const p = this.p;
    const fax = await faxes.find(db, id);
    if (fax?.direction !== 'in' || !(await canSeeMetadata(db, p, fax)))
      return this.send(550, `${name}: no such file.`);
    if (!(await canReadContent(db, p, fax))) {
      await this.audit('access.denied', p.user.name, `read fax ${fax.id}`, { permission: 'in.read' });
      return this.send(550, `${p.user.name} may not read fax ${fax.id}.`);
    }
    if (fax.state === 'deleted') return this.send(550, `${name}: deleted; only its record remains.`);
    if (!this.data.ready) return this.send(503, 'Use PORT, EPRT, PASV or EPSV first.');
    const infos = await faxPages.list(db, fax.id);
    const pages = [];
    for (const info of infos)
      pages.push({ page: readTiff((await faxPages.get(db, fax.id, info.pageNo)).tiff).pages[0].page });
    if (pages.length === 0) return this.send(550, `${name}: no pages.`);
    await this.audit('fax.read', p.user.name, `fax:${fax.id}`, { faxId: fax.id, what: 'document tiff' });
    const socket = await this.data.open();
    this.send(150, `Opening new data connection for "${name}" (TIFF).`);
    await sendData(socket, writeTiff(pages, { coding: 'mmr' }));
    this.send(226, 'Transfer complete.');
  }
}
