import type {Analytics, Overview, Recovery, RecoverySummary, Settings, Warning} from '../api/types';

export const API_BASE = 'https://recoup.acme.test/';

/** Overrides for getMockContextProps: a view on the given viewport of an app configured with API_BASE. */
export function contextFor(viewportID: string) {
  return {
    environment: {viewportID, mode: 'test' as const, constants: {API_BASE}},
  };
}

export function aSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    enabled: true,
    observe_only: false,
    max_retries: 6,
    dunning_days: 28,
    recover_one_off_invoices: false,
    card_rotation: true,
    subscription_action: 'leave',
    cancel_delay_days: 0,
    cancel_delay_hours: 0,
    prorate_on_cancel: false,
    invoice_action: 'leave',
    tidy_later_invoices: true,
    emails_enabled: true,
    brand_name: 'Acme',
    brand_color: '#635BFF',
    reply_to: '',
    persuasive_copy: true,
    sms_enabled: false,
    daily_overdue_chase: false,
    pause_stripe_retries: true,
    success_fee_percent: 15,
    ...overrides,
  };
}

export const STRIPE_RETRIES_WARNING: Warning = {
  code: 'stripe_retries_active',
  message: 'Stripe is also retrying an invoice Recoup manages.',
  invoice_id: 'in_42',
};

export function aRecovery(overrides: Partial<Recovery> = {}): Recovery {
  return {
    id: 'rec_1',
    invoice_id: 'in_123',
    customer_id: 'cus_1',
    subscription_id: 'sub_1',
    status: 'scheduled',
    amount: 2500,
    currency: 'usd',
    decline: {
      category: 'insufficient_funds',
      code: 'insufficient_funds',
      advice_code: null,
      explanation: 'The card has insufficient funds.',
    },
    strategy: 'payday',
    started_at: '2026-11-23T10:00:00Z',
    next_attempt_at: '2026-12-01T09:00:00Z',
    next_attempt_reason: 'insufficient funds: next payday, Tuesday 09:00 customer time',
    deadline: '2026-12-21T10:00:00Z',
    retries_made: 1,
    max_retries: 6,
    attempts: [
      {
        number: 0,
        at: '2026-11-23T10:00:00Z',
        card: {brand: 'visa', last4: '4242'},
        outcome: 'declined',
        decline_code: 'insufficient_funds',
        advice_code: null,
        trigger: 'stripe',
      },
      {
        number: 1,
        at: '2026-11-25T09:00:00Z',
        card: {brand: 'visa', last4: '4242'},
        outcome: 'declined',
        decline_code: 'insufficient_funds',
        advice_code: null,
        trigger: 'schedule',
      },
    ],
    messages: [{
      id: 'msg_1', channel: 'email', step: 'notice', status: 'sent', send_at: '2026-11-23T11:00:00Z',
      sent_at: '2026-11-23T11:00:00Z', opened_at: '2026-11-23T12:30:00Z', clicked_at: null,
      to: 'ada@example.com', error: null,
    }],
    customer_unsubscribed: false,
    outcome: null,
    outcome_detail: null,
    recovered_by: null,
    difficulty: 42,
    observe_only: false,
    stripe_retrying: false,
    actions: ['retry_now', 'pause', 'stop'],
    money_back: {refunded_amount: 0, dispute_status: null, disputed_amount: 0, net_amount: 0},
    ...overrides,
  };
}

export function anOverview(overrides: Partial<Overview> = {}): Overview {
  return {
    recovered: [{currency: 'usd', amount: 125000}, {currency: 'eur', amount: 3000}],
    paid_without_recoup: [{currency: 'usd', amount: 9900}],
    in_flight: [{currency: 'usd', amount: 40000}],
    recovery_rate: 0.62,
    active_count: 12,
    next_due: [
      {invoice_id: 'in_9', at: '2026-12-01T09:00:00Z', reason: 'next payday', amount: 2500, currency: 'usd'},
    ],
    recent_outcomes: [
      {
        invoice_id: 'in_7',
        customer_id: 'cus_7',
        outcome: 'recovered',
        recovered_by: 'recoup_retry',
        at: '2026-11-20T08:00:00Z',
        amount: 4900,
        currency: 'usd',
      },
    ],
    weekly: [
      {week: '2026-11-09', recovered: 2, failed: 4},
      {week: '2026-11-16', recovered: 3, failed: 5},
    ],
    weekly_money: [
      {week: '2026-11-09', currency: 'usd', recovered: 9800, failed: 19600},
      {week: '2026-11-16', currency: 'usd', recovered: 14700, failed: 24500},
      {week: '2026-11-09', currency: 'eur', recovered: 0, failed: 0},
      {week: '2026-11-16', currency: 'eur', recovered: 3000, failed: 3000},
    ],
    warnings: [],
    emails: {sent: 40, opened: 22, clicked: 9, failed: 1},
    ...overrides,
  };
}

export function anEmptyOverview(): Overview {
  return {
    recovered: [],
    paid_without_recoup: [],
    in_flight: [],
    recovery_rate: null,
    active_count: 0,
    next_due: [],
    recent_outcomes: [],
    weekly: [],
    weekly_money: [],
    warnings: [],
    emails: {sent: 0, opened: 0, clicked: 0, failed: 0},
  };
}

export function aSummary(overrides: Partial<RecoverySummary> = {}): RecoverySummary {
  return {
    id: 'rec_1',
    invoice_id: 'in_123',
    customer_id: 'cus_1',
    subscription_id: 'sub_1',
    status: 'scheduled',
    amount: 2500,
    currency: 'usd',
    started_at: '2026-11-23T10:00:00Z',
    next_attempt_at: '2026-12-01T09:00:00Z',
    closed_at: null,
    outcome: null,
    recovered_by: null,
    ...overrides,
  };
}

export function anAnalytics(overrides: Partial<Analytics> = {}): Analytics {
  return {
    period_from: '2026-11-01',
    period_to: '2026-11-30',
    currencies: [{
      currency: 'eur', failed: 20000, recovered: 10000, refunded: 1000, dispute_lost: 2500, net_recovered: 6500,
      paid_without_recoup: 3000, exhausted: 5000, in_flight: 4000, rate_by_amount: 2 / 3,
      success_fee: {percent: 20, on_recovered: 2000, refunded: 700, net: 1300},
    }],
    recovered_count: 4,
    exhausted_count: 2,
    in_flight_count: 3,
    rate_by_count: 2 / 3,
    causes: {paid: 5, retry: 0.6, card_update: 0.2, customer: 0.2, other: 0},
    median_days_to_recover: 2.5,
    due_next_24h: [{currency: 'eur', count: 2, amount: 3000}],
    messages_sent: 10,
    open_rate: 0.5,
    click_rate: 0.2,
    disputes: {open: 1, won: 0, lost: 1},
    success_fee_percent: 20,
    ...overrides,
  };
}
