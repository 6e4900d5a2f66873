import type {BadgeProps} from '@stripe/ui-extension-sdk/ui';

import type {RecoveryAction, RecoveryStatus} from '../api/types';

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
  merchant: 'Retried from the Dashboard',
  customer: 'Paid by the customer',
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

export function cardLabel(card: {brand: string; last4: string} | null): string {
  if (card === null) {
    return 'Unknown card';
  }
  return `${lookup(CARD_BRANDS, card.brand)} •••• ${card.last4}`;
}

export function triggerLabel(trigger: string): string {
  return lookup(TRIGGERS, trigger);
}

export function outcomeLabel(outcome: string): string {
  return lookup(OUTCOMES, outcome);
}
