// Translation: the catalogues, the chosen language, and formatting of times and
// error codes. Every piece of text the console shows goes through `t`.

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ActorKind, AuditCode, EndReason } from '../gen/proto.ts';
import type { ClientErrorCode } from '../api/http.ts';
import { RequestError } from '../api/http.ts';
import { en, type Catalogue, type MessageKey } from './en.ts';
import { fr } from './fr.ts';

export type { MessageKey } from './en.ts';
export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];

const catalogues: Record<Lang, Catalogue> = { en, fr };
const STORAGE_KEY = 'reach.lang';

function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'fr';
}

/** The saved choice, else the browser's preferred language, else English. */
export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    // Storage can be unavailable (privacy settings); fall through to the browser.
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not fatal: the choice lasts for this page only.
  }
  document.documentElement.lang = lang;
}

export type Params = Record<string, string | number>;

/** Looks `key` up in `lang` and fills `{name}` placeholders from `params`. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = catalogues[lang][key];
  if (params === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export interface I18n {
  lang: Lang;
  t(key: MessageKey, params?: Params): string;
  /** Message for an error code (from the server or the console itself). */
  errorText(code: ClientErrorCode | string): string;
  /** Message for anything thrown by an API call. */
  describeError(error: unknown): string;
  endReason(reason: EndReason): string;
  /** The name of an event log entry. */
  auditCode(code: AuditCode): string;
  actorKind(kind: ActorKind): string;
  /** What an entry was done to (`device`, `session`…); an unknown kind stays as sent. */
  targetKind(kind: string): string;
  /** The label of a detail key (`reason`, `hostname`…); an unknown key stays as sent. */
  detailKey(key: string): string;
  dateTime(ms: number): string;
  relativeTime(ms: number, now: number): string;
  setLang(lang: Lang): void;
}

function hasKey(lang: Lang, key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogues[lang], key);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

export function makeI18n(lang: Lang, setLang: (lang: Lang) => void): I18n {
  const t = (key: MessageKey, params?: Params): string => translate(lang, key, params);
  const errorText = (code: string): string => {
    const key = `error.${code}`;
    return hasKey(lang, key) ? t(key) : t('error.unknown', { code });
  };
  const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const relativeFormat = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  return {
    lang,
    t,
    errorText,
    describeError(error: unknown): string {
      if (error instanceof RequestError) return errorText(error.code);
      return t('error.unexpected_response');
    },
    endReason: (reason) => t(`endReason.${reason}`),
    auditCode: (code) => t(`audit.code.${code}`),
    actorKind: (kind) => t(`audit.actor.${kind}`),
    targetKind(kind) {
      const key = `audit.target.${kind}`;
      return hasKey(lang, key) ? t(key) : kind;
    },
    detailKey(key) {
      const id = `audit.detail.${key}`;
      return hasKey(lang, id) ? t(id) : key;
    },
    dateTime: (ms) => dateFormat.format(ms),
    relativeTime(ms, now) {
      const diff = ms - now;
      if (Math.abs(diff) < 10_000) return t('time.justNow');
      for (const [unit, size] of UNITS) {
        if (Math.abs(diff) >= size || unit === 'second') {
          return relativeFormat.format(Math.trunc(diff / size), unit);
        }
      }
      return relativeFormat.format(0, 'second');
    },
    setLang,
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en', () => undefined));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
