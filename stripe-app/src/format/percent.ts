import {safeLocale} from './locale';

/** Format a ratio between 0 and 1 as a whole percentage; null means there is nothing to measure yet. */
export function formatRate(rate: number | null, locale?: string): string {
  if (rate === null) {
    return 'No recoveries finished yet';
  }
  return new Intl.NumberFormat(safeLocale(locale), {style: 'percent', maximumFractionDigits: 0}).format(rate);
}
