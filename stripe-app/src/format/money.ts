import type {Money} from '../api/types';
import {safeLocale} from './locale';

// Stripe's own lists of currencies whose amounts are not in hundredths
// (docs.stripe.com/currencies#zero-decimal and #three-decimal); they differ from ISO 4217 in places.
const ZERO_DECIMAL = new Set([
  'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga',
  'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf',
]);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

function minorUnitDigits(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) {
    return 0;
  }
  return THREE_DECIMAL.has(code) ? 3 : 2;
}

/** An amount in the currency's smallest unit as a number of whole units, e.g. 2500 usd → 25. */
export function toMajorUnits(amount: number, currency: string): number {
  return amount / 10 ** minorUnitDigits(currency);
}

/** Format an amount given in the currency's smallest unit, e.g. 2500 usd → "$25.00". */
export function formatMoney(amount: number, currency: string, locale?: string): string {
  const digits = minorUnitDigits(currency);
  const major = amount / 10 ** digits;
  try {
    return new Intl.NumberFormat(safeLocale(locale), {
      style: 'currency',
      currency: currency.toUpperCase(),
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${currency.toUpperCase()}`;
  }
}

/** Format one total per currency, e.g. "$1,250.00 · €30.00"; an empty list reads as nothing yet. */
export function formatTotals(totals: Money[], locale?: string, none = 'None yet'): string {
  if (totals.length === 0) {
    return none;
  }
  return totals.map((total) => formatMoney(total.amount, total.currency, locale)).join(' · ');
}
