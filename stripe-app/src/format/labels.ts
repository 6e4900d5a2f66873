import type {BadgeProps} from '@stripe/ui-extension-sdk/ui';

import type {RecoveredBy, RecoveryAction, RecoveryStatus} from '../api/types';

/** Turn an identifier such as "insufficient_funds" into "Insufficient funds". */
export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function lookup(table: Record<string, string>, value: string): string {
  return table[value] ?? humanize(value);
}

export const STATUS_BADGES: Record<RecoveryStatus, {label: string; type: NonNullable<BadgeProps['type']>}> = {
  observing: {label: 'Observing', type: 'info'},
  scheduled: {label: 'Retry scheduled', type: 'info'},
  awaiting_customer: {label: 'Waiting for customer', type: 'warning'},
  paused: {label: 'Paused', type: 'neutral'},
  recovered: {label: 'Recovered', type: 'positive'},
  exhausted: {label: 'Not recovered', type: 'negative'},
  closed: {label: 'Closed', type: 'neutral'},
};

export const ACTION_LABELS: Record<RecoveryAction, string> = {
  retry_now: 'Retry now',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  enrol: 'Enrol in recovery',
};

const CARD_BRANDS: Record<string, string> = {
  amex: 'American Express',
  cartes_bancaires: 'Cartes Bancaires',
  diners: 'Diners Club',
  discover: 'Discover',
  eftpos_au: 'eftpos',
  jcb: 'JCB',
  mastercard: 'Mastercard',
  unionpay: 'UnionPay',
  visa: 'Visa',
};

const TRIGGERS: Record<string, string> = {
  schedule: 'Scheduled retry',
  card_update: 'After a card update',
  card_updater: 'After the card networks refreshed the card',
  merchant: 'Retried from the Dashboard',
  customer: 'Paid by the customer',
  stripe: 'The failed payment that opened the recovery',
};

const OUTCOMES: Record<string, string> = {
  declined: 'Declined',
  succeeded: 'Paid',
  paid: 'Paid',
  failed: 'Failed',
  recovered: 'Recovered',
  exhausted: 'Not recovered',
  closed: 'Closed',
};

export function cardLabel(card: {brand: string | null; last4: string | null} | null): string {
  if (card === null || (card.brand === null && card.last4 === null)) {
    return 'Unknown card';
  }
  const brand = card.brand === null ? 'Card' : lookup(CARD_BRANDS, card.brand);
  return card.last4 === null ? brand : `${brand} •••• ${card.last4}`;
}

/** Who gets the credit for a paid invoice; only Recoup's retries and card updates count as recovered. */
export const RECOVERED_BY: Record<RecoveredBy, string> = {
  recoup_retry: "Recoup's retry",
  card_update: 'the card the customer updated',
  customer: 'the customer, unprompted',
  out_of_band: 'paid outside Stripe',
  other: 'another route',
};

/** The retry strategy in a merchant's words. */
const STRATEGIES: Record<string, string> = {
  payday: "Retry around paydays (the 1st, the 15th or a Friday), in the customer's morning",
  'card update': 'No blind retries: ask the customer for a new card, then charge it at once',
  'customer authentication': 'Ask the customer to confirm the payment with their bank, then charge',
  'back-off': 'Back off: retry on days 3, 7, 14 and 21',
  'quick retry, then standard': 'Retry within hours, then on days 1, 3, 7, 14, 21 and 28',
  standard: 'Standard plan: retry on days 1, 3, 7, 14, 21 and 28',
};

export function strategyLabel(strategy: string | null): string {
  if (strategy === null) {
    return 'Not chosen yet';
  }
  return lookup(STRATEGIES, strategy);
}

export function triggerLabel(trigger: string): string {
  return lookup(TRIGGERS, trigger);
}

export function outcomeLabel(outcome: string): string {
  return lookup(OUTCOMES, outcome);
}
