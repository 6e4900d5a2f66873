// Shapes of Recoup's Dashboard API, taken from the types generated from the backend's OpenAPI document
// (src/api/schema.ts; regenerate with `make api-types`). Amounts are in the currency's minor unit.
import type {components, operations} from './schema';

type Schemas = components['schemas'];

export type Mode = 'test' | 'live';

export type Settings = Schemas['RecoverySettings'];
export type SubscriptionAction = Schemas['SubscriptionAction'];
export type InvoiceAction = Schemas['InvoiceAction'];
export type SettingsField = keyof Settings;
export type Warning = Schemas['Warning'];
export type SettingsResponse = Schemas['SettingsResponse'];

export type Recovery = Schemas['Recovery'];
export type RecoveryStatus = Recovery['status'];
export type RecoveryAction = Recovery['actions'][number];
export type RecoveredBy = NonNullable<Recovery['recovered_by']>;
export type Decline = Schemas['Decline'];
export type Attempt = Schemas['Attempt'];
export type RecoveryResponse = Schemas['RecoveryResponse'];
export type RecoveryActionResponse = Schemas['RecoveryActionResponse'];
export type RecoverySummary = Schemas['RecoverySummary'];
export type RecoveryList = Schemas['RecoveryList'];

export type Money = Schemas['Money'];
export type DueItem = Schemas['DueItem'];
export type OutcomeItem = Schemas['OutcomeItem'];
export type WeeklyCount = Schemas['WeeklyCount'];
export type Overview = Schemas['Overview'];
export type EmailEngagement = Schemas['EmailEngagement'];
export type Analytics = Schemas['Analytics'];
export type CurrencyAnalytics = Schemas['CurrencyAnalytics'];
export type MoneyBack = Schemas['MoneyBack'];

export type AuditEntry = Schemas['AuditEntry'];
export type AuditPage = Schemas['AuditPage'];
export type InvoiceAudit = Schemas['InvoiceAudit'];

export type CustomerMessage = Schemas['Message'];
export type MessageStatus = CustomerMessage['status'];
export type SmsSetup = Schemas['SmsCredentials'];
/** What the Settings form sends; the auth token goes to Stripe's Secret Store and never comes back. */
export type SmsCredentialsInput =
  operations['saveSmsCredentials']['requestBody']['content']['application/json']['credentials'];

export type ApiError = {
  code: string;
  message: string;
  field?: string;
};

/** Every call resolves to one of these; nothing in src/api throws at its callers. */
export type ApiResult<T> =
  | {ok: true; data: T}
  | {ok: false; status: number | null; error: ApiError};

export type Takeover = Schemas['Takeover'];
export type TakeoverResponse = Schemas['TakeoverResponse'];
