// A job being built between JNEW and JSUBM: the JPARM parameters sendfax sets, checked as they
// arrive and turned into a faxgate submission. Parameters that steer HylaFAX's modem handling
// (page chopping, ECM, tag line …) are accepted and ignored — faxgate's configuration decides
// those; polling is refused (lockdown: no polling).

/** Parameters taken over into the fax. */
export interface JobDraft {
  number?: string;
  sendAt?: Date;
  /** LASTTIME: minutes after the send time to give up. */
  lastMinutes?: number;
  priority?: number;
  vres?: 98 | 196;
  notify?: 'none' | 'done' | 'requeue' | 'done+requeue';
  notifyAddress?: string;
  fromUser?: string;
  toUser?: string;
  toCompany?: string;
  regarding?: string;
  jobTag?: string;
  cover?: string;
  documents: string[];
}

const IGNORED = new Set([
  'MAXDIALS',
  'MAXTRIES',
  'PAGEWIDTH',
  'PAGELENGTH',
  'PAGECHOP',
  'CHOPTHRESHOLD',
  'USEECM',
  'USECONTCOVER',
  'USEXVRES',
  'TAGLINE',
  'USETAGLINE',
  'DATAFORMAT',
  'MINBR',
  'BEGBR',
  'BEGST',
  'DESIREDDF',
  'TOLOCATION',
  'TOVOICE',
  'FROMCOMPANY',
  'FROMLOCATION',
  'FROMVOICE',
  'SUBADDR',
  'PASSWD',
  'RETRYTIME',
  'JOBTYPE',
  'MODEM',
  'CLIENT',
  'SKIPPAGES',
  'SKIPPEDPAGES',
  'NOCOUNTCOVER',
  'SERVERDOCOVER',
  'IGNOREMODEMBUSY',
  'TIMEZONE',
  'TIMEOFDAY',
  'GROUPID',
]);

const TEXT_MAX = 200;

/** "NOW" or YYYYMMDDHHMM[SS] in UTC (what sendfax and faxalter send). */
export function parseSendTime(value: string, now: Date): Date | null {
  if (value.toUpperCase() === 'NOW') return now;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return t;
}

/** LASTTIME "DDHHMM" → minutes. */
export function parseLastTime(value: string): number | null {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return null;
  const [d, h, mi] = m.slice(1).map(Number);
  if (h > 23 || mi > 59) return null;
  const minutes = (d * 24 + h) * 60 + mi;
  return minutes > 0 ? minutes : null;
}

function text(value: string, name: string): string {
  if (value.length > TEXT_MAX) throw new ParamError(`${name}: at most ${TEXT_MAX} characters`);
  return value;
}

export class ParamError extends Error {}

/**
 * Applies one JPARM to the draft; throws ParamError for a bad or unknown parameter. Returns
 * false for a parameter accepted and ignored.
 */
export function setParam(draft: JobDraft, name: string, value: string, now: Date): boolean {
  switch (name) {
    case 'DIALSTRING':
    case 'EXTERNAL':
      if (!/^[+0-9 ()./#*-]{1,40}$/.test(value)) throw new ParamError(`${name}: not a fax number`);
      if (name === 'DIALSTRING' || draft.number === undefined) draft.number = value;
      return true;
    case 'SENDTIME': {
      const t = parseSendTime(value, now);
      if (!t) throw new ParamError('SENDTIME: expected NOW or YYYYMMDDHHMM (GMT)');
      draft.sendAt = t;
      return true;
    }
    case 'LASTTIME': {
      const m = parseLastTime(value);
      if (m === null) throw new ParamError('LASTTIME: expected DDHHMM');
      draft.lastMinutes = m;
      return true;
    }
    case 'SCHEDPRI':
    case 'PRIORITY': {
      if (!/^[0-9]{1,3}$/.test(value) || Number(value) > 255)
        throw new ParamError(`${name}: expected 0..255`);
      draft.priority = Number(value);
      return true;
    }
    case 'VRES':
      if (value !== '98' && value !== '196') throw new ParamError('VRES: expected 98 or 196');
      draft.vres = Number(value) as 98 | 196;
      return true;
    case 'NOTIFY': {
      const v = value.toLowerCase();
      if (v !== 'none' && v !== 'done' && v !== 'requeue' && v !== 'done+requeue')
        throw new ParamError('NOTIFY: expected none, done, requeue or done+requeue');
      draft.notify = v;
      return true;
    }
    case 'NOTIFYADDR':
      draft.notifyAddress = text(value, name);
      return true;
    case 'FROMUSER':
      draft.fromUser = text(value, name);
      return true;
    case 'TOUSER':
      draft.toUser = text(value, name);
      return true;
    case 'TOCOMPANY':
      draft.toCompany = text(value, name);
      return true;
    case 'REGARDING':
      draft.regarding = text(value, name);
      return true;
    case 'JOBINFO':
      if (value.length > 100) throw new ParamError('JOBINFO: at most 100 characters');
      draft.jobTag = value;
      return true;
    case 'COVER':
      draft.cover = value;
      return true;
    case 'DOCUMENT':
      if (draft.documents.length >= 50) throw new ParamError('DOCUMENT: at most 50 documents');
      draft.documents.push(value);
      return true;
    case 'POLL':
      throw new ParamError('POLL: polling is not offered (fax-only lockdown)');
    default:
      if (IGNORED.has(name)) return false;
      throw new ParamError(`${name}: unknown job parameter`);
  }
}

/** The value of a parameter for "JPARM NAME" (a query). */
export function getParam(draft: JobDraft, name: string): string | undefined {
  const v: Record<string, unknown> = {
    DIALSTRING: draft.number,
    EXTERNAL: draft.number,
    SCHEDPRI: draft.priority,
    VRES: draft.vres,
    NOTIFY: draft.notify,
    NOTIFYADDR: draft.notifyAddress,
    FROMUSER: draft.fromUser,
    TOUSER: draft.toUser,
    TOCOMPANY: draft.toCompany,
    REGARDING: draft.regarding,
    JOBINFO: draft.jobTag,
  };
  return v[name] === undefined ? undefined : String(v[name]);
}

/** The kill time of the draft: LASTTIME after the send time (or now). */
export function killTimeOf(draft: JobDraft, now: Date): Date | undefined {
  if (draft.lastMinutes === undefined) return undefined;
  return new Date((draft.sendAt ?? now).getTime() + draft.lastMinutes * 60_000);
}
