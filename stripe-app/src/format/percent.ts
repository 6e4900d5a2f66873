import {safeLocale} from './locale';

/** Format a ratio between 0 and 1 as a whole percentage; null means there is nothing to measure yet. */
export function formatRate(rate: number | null, locale?: string): string {
  if (rate === null) {
    return 'No recoveries finished yet';
  }
  return new Intl.NumberFormat(safeLocale(locale), {style: 'percent', maximumFractionDigits: 0}).format(rate);
}

/** "40 sent · 55% opened · 23% clicked": each message counted once; nothing claimed before one is sent. */
export function formatEmailEngagement(
  emails: {sent: number; opened: number; clicked: number; failed: number},
  locale?: string,
): string {
  if (emails.sent === 0) {
    return 'None sent yet';
  }
  const share = (count: number) =>
    new Intl.NumberFormat(safeLocale(locale), {style: 'percent', maximumFractionDigits: 0}).format(count / emails.sent);
  const failed = emails.failed > 0 ? ` · ${emails.failed} could not be delivered` : '';
  return `${emails.sent} sent · ${share(emails.opened)} opened · ${share(emails.clicked)} clicked${failed}`;
}
