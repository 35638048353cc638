// The console's two languages. The first choice is the page's lang attribute (the gateway
// sets it from Accept-Language); the switch overrides it and is remembered in this browser.
// Each view keeps its words beside it (views/<view>/strings.ts); this file merges them.
import { strings as administration } from './views/administration/strings.js';
import { strings as auditor } from './views/auditor/strings.js';
import { strings as faxes } from './views/faxes/strings.js';
import { strings as operations } from './views/operations/strings.js';

export type Lang = 'en' | 'de';

const en = {
  'app.name': 'faxgate',
  'lang.switch': 'Language',
  'login.title': 'Sign in to faxgate',
  'login.user': 'User name',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.failed': 'User name or password is wrong, or the account is disabled.',
  'login.throttled': 'Too many attempts. Please wait a moment and try again.',
  logout: 'Sign out',
  'nav.label': 'Main',
  'view.faxes': 'Faxes',
  'view.operations': 'Operations',
  'view.auditor': 'Auditor',
  'view.administration': 'Administration',
  signedIn: 'Signed in as {name}',
  'denied.title': 'Not allowed',
  'denied.text': 'Your rights do not include this view. The attempt has been recorded.',
  'error.generic': 'Something went wrong: {message}',
  loading: 'Loading…',
};

type BaseKey = keyof typeof en;

const de: Record<BaseKey, string> = {
  'app.name': 'faxgate',
  'lang.switch': 'Sprache',
  'login.title': 'Bei faxgate anmelden',
  'login.user': 'Benutzername',
  'login.password': 'Passwort',
  'login.submit': 'Anmelden',
  'login.failed': 'Benutzername oder Passwort ist falsch, oder das Konto ist gesperrt.',
  'login.throttled': 'Zu viele Versuche. Bitte warten Sie einen Moment.',
  logout: 'Abmelden',
  'nav.label': 'Hauptmenü',
  'view.faxes': 'Faxe',
  'view.operations': 'Betrieb',
  'view.auditor': 'Revision',
  'view.administration': 'Verwaltung',
  signedIn: 'Angemeldet als {name}',
  'denied.title': 'Nicht erlaubt',
  'denied.text': 'Ihre Rechte umfassen diese Ansicht nicht. Der Versuch wurde protokolliert.',
  'error.generic': 'Ein Fehler ist aufgetreten: {message}',
  loading: 'Lädt…',
};

export type Key =
  | BaseKey
  | keyof typeof faxes.en
  | keyof typeof operations.en
  | keyof typeof auditor.en
  | keyof typeof administration.en;

const PARTS = [faxes, operations, auditor, administration];
const DICTS: Record<Lang, Record<Key, string>> = {
  en: Object.assign({}, en, ...PARTS.map((p) => p.en)),
  de: Object.assign({}, de, ...PARTS.map((p) => p.de)),
};
const STORAGE_KEY = 'faxgate.lang';

export function isLang(x: unknown): x is Lang {
  return x === 'en' || x === 'de';
}

export function initialLang(): Lang {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isLang(stored)) return stored;
  const page = document.documentElement.lang;
  return isLang(page) ? page : 'en';
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

export type Translate = (key: Key, vars?: Record<string, string>) => string;

export function translator(lang: Lang): Translate {
  const dict = DICTS[lang];
  return (key, vars) => dict[key].replace(/\{(\w+)\}/g, (_, v: string) => vars?.[v] ?? '');
}

/** A time in the user's own zone (the browser's), in the chosen language. */
export function formatTime(lang: Lang, iso: string | null): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(new Date(iso));
}
