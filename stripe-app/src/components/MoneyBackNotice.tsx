import {Banner} from '@stripe/ui-extension-sdk/ui';

import type {MoneyBack} from '../api/types';
import {formatMoney} from '../format/money';

/** What happened to a recovered payment afterwards: refunds and disputes, and what is left of it. */
export function moneyBackText(moneyBack: MoneyBack, currency: string, locale?: string): string | null {
  const parts: string[] = [];
  if (moneyBack.dispute_status === 'open') {
    parts.push(`The payment is disputed (${formatMoney(moneyBack.disputed_amount, currency, locale)}); the outcome is pending.`);
  } else if (moneyBack.dispute_status === 'won') {
    parts.push('The payment was disputed and you won: the money stays with you.');
  } else if (moneyBack.dispute_status === 'lost') {
    parts.push(`The payment was disputed and lost: ${formatMoney(moneyBack.disputed_amount, currency, locale)} went back to the cardholder.`);
  }
  if (moneyBack.refunded_amount > 0) {
    parts.push(`${formatMoney(moneyBack.refunded_amount, currency, locale)} was refunded.`);
  }
  if (parts.length === 0) {
    return null;
  }
  parts.push(`Net recovered: ${formatMoney(moneyBack.net_amount, currency, locale)}.`);
  return parts.join(' ');
}

export function MoneyBackNotice({moneyBack, currency, locale}: {moneyBack: MoneyBack; currency: string; locale?: string}) {
  const text = moneyBackText(moneyBack, currency, locale);
  if (text === null) {
    return null;
  }
  const type = moneyBack.dispute_status === 'lost' || moneyBack.dispute_status === 'open' ? 'critical' : 'caution';
  return <Banner type={type} title="After the payment" description={text} />;
}
