import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { enUS, zhCN, type MessageKey } from './messages';

export type Locale = 'zh-CN' | 'en-US';
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const TABLES: Record<Locale, Readonly<Record<MessageKey, string>>> = { 'zh-CN': zhCN, 'en-US': enUS };
const STORAGE_KEY = 'fupin-flow.locale';

/**
 * What a key without a text shows: impossible to overlook on a page, and what the end-to-end
 * tests look for in every screenshot. Keys are typed, so only a key built at run time (a
 * status, a role, an event type from the API) can miss.
 */
export function missingKey(key: string): string {
  return `⟦${key}⟧`;
}

export function translate(locale: Locale, key: string, vars?: Vars): string {
  const table = TABLES[locale] as Readonly<Record<string, string>>;
  const text = Object.hasOwn(table, key) ? table[key] : undefined;
  if (text === undefined) return missingKey(key);
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
}

/** Whether the table has `key`: for keys built from API values, to fall back to the value itself. */
export function hasKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

interface I18nValue {
  locale: Locale;
  setLocale(locale: Locale): void;
  t: Translate;
  /** A key built at run time (`caseStatus.${status}`): its text, or the sentinel. */
  tx(key: string, vars?: Vars): string;
  /** The Chinese `label` or, in English, `labelEn` when the definition has one. */
  label(item: { label: string; labelEn?: string | null } | undefined, fallback?: string): string;
}

const I18nContext = createContext<I18nValue | null>(null);

function initialLocale(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en-US' ? 'en-US' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(fixed ?? initialLocale);
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    document.documentElement.lang = next;
  }, []);
  const value = useMemo<I18nValue>(
    () => ({
      locale,
      setLocale,
      t: (key, vars) => translate(locale, key, vars),
      tx: (key, vars) => translate(locale, key, vars),
      label: (item, fallback = '') => (item ? (locale === 'en-US' && item.labelEn ? item.labelEn : item.label) : fallback),
    }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
