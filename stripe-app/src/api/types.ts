// Shapes of Recoup's Dashboard API (docs/api.md). Amounts are in the currency's minor unit.

export type Mode = 'test' | 'live';

export type SubscriptionAction =
  | 'leave'
  | 'cancel_now'
  | 'cancel_at_period_end'
  | 'cancel_after_delay';

export type InvoiceAction = 'leave' | 'void' | 'mark_uncollectible';

export type Settings = {
  enabled: boolean;
  observe_only: boolean;
  max_retries: number;
  dunning_days: number;
  recover_one_off_invoices: boolean;
  card_rotation: boolean;
  subscription_action: SubscriptionAction;
  cancel_delay_days: number;
  cancel_delay_hours: number;
  prorate_on_cancel: boolean;
  invoice_action: InvoiceAction;
  tidy_later_invoices: boolean;
  emails_enabled: boolean;
  brand_name: string;
  brand_color: string;
  reply_to: string;
  persuasive_copy: boolean;
  sms_enabled: boolean;
  daily_overdue_chase: boolean;
  pause_stripe_retries: boolean;
};

export type SettingsField = keyof Settings;

export type Warning = {
  code: string;
  message: string;
  invoice_id?: string;
};

export type SettingsResponse = {
  settings: Settings;
  warnings: Warning[];
};

export type RecoveryStatus =
  | 'observing'
  | 'scheduled'
  | 'awaiting_customer'
  | 'paused'
  | 'recovered'
  | 'exhausted'
  | 'closed';

export type RecoveryAction = 'retry_now' | 'pause' | 'resume' | 'stop' | 'enrol';

export type Decline = {
  category: string;
  code: string | null;
  advice_code: string | null;
  explanation: string;
};

export type Attempt = {
  at: string;
  card: {brand: string; last4: string} | null;
  outcome: string;
  decline_code: string | null;
  advice_code: string | null;
  trigger: string;
};

export type MessageStatus = 'planned' | 'sent' | 'failed' | 'skipped' | 'cancelled';

/** One e-mail or text to the customer (docs/api.md). */
export type CustomerMessage = {
  id: string;
  channel: 'email' | 'sms';
  step: string;
  status: MessageStatus;
  send_at: string;
  sent_at: string | null;
  opened_at: string | null;
  clicked_at: string | null;
  to: string | null;
  error: string | null;
};

export type SmsSetup = {
  configured: boolean;
  account_sid: string | null;
  from_number: string | null;
};

export type SmsCredentialsInput = {
  account_sid: string;
  auth_token: string;
  from_number: string;
};

export type Recovery = {
  id: string;
  invoice_id: string;
  customer_id: string;
  subscription_id: string | null;
  status: RecoveryStatus;
  amount: number;
  currency: string;
  decline: Decline | null;
  strategy: string;
  next_attempt_at: string | null;
  next_attempt_reason: string | null;
  deadline: string | null;
  attempts: Attempt[];
  messages: CustomerMessage[];
  customer_unsubscribed: boolean;
  outcome: string | null;
  recovered_by: string | null;
  difficulty: number | null;
  observe_only: boolean;
  actions: RecoveryAction[];
};

export type RecoveryResponse = {recovery: Recovery | null};

export type RecoveryActionResponse = {recovery: Recovery};

export type Money = {currency: string; amount: number};

export type DueItem = Money & {invoice_id: string; at: string; reason: string};

export type OutcomeItem = Money & {invoice_id: string; outcome: string; at: string};

export type WeeklyCount = {week: string; recovered: number; failed: number};

export type Overview = {
  recovered: Money[];
  in_flight: Money[];
  recovery_rate: number | null;
  active_count: number;
  next_due: DueItem[];
  recent_outcomes: OutcomeItem[];
  weekly: WeeklyCount[];
  warnings: Warning[];
};

export type ApiError = {
  code: string;
  message: string;
  field?: string;
};

/** Every call resolves to one of these; nothing in src/api throws at its callers. */
export type ApiResult<T> =
  | {ok: true; data: T}
  | {ok: false; status: number | null; error: ApiError};
