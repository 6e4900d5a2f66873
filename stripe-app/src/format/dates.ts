import {safeLocale} from './locale';

/** Format an ISO 8601 timestamp as a short date and time in the viewer's locale and time zone. */
export function formatDateTime(iso: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return new Intl.DateTimeFormat(safeLocale(locale), {dateStyle: 'medium', timeStyle: 'short'}).format(date);
}

/** Format an ISO date (YYYY-MM-DD) as a short day, e.g. "Nov 16". */
export function formatDay(isoDate: string, locale?: string): string {
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) {
    return isoDate;
  }
  return new Intl.DateTimeFormat(safeLocale(locale), {month: 'short', day: 'numeric', timeZone: 'UTC'}).format(date);
}
