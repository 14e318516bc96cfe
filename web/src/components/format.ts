import type { Locale } from '../i18n/i18n';

/**
 * Times as officers read them: Beijing time, whatever the browser's zone (deadlines are
 * counted in Beijing dates, and a county office and its server agree on the day).
 */
export function formatDateTime(iso: string | Date | null | undefined, locale: Locale): string {
  if (!iso) return '';
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date);
}
