import {request, type Caller} from './client';
import type {
  ApiResult,
  Analytics,
  AuditPage,
  InvoiceAudit,
  Overview,
  RecoveryAction,
  RecoveryActionResponse,
  RecoveryList,
  RecoveryResponse,
  RecoveryStatus,
  Settings,
  SettingsResponse,
  SmsCredentialsInput,
  SmsSetup,
  TakeoverResponse,
} from './types';

function recoveryPath(invoiceId: string): string {
  return `api/v1/invoices/${encodeURIComponent(invoiceId)}/recovery`;
}

export function getSettings(caller: Caller): Promise<ApiResult<SettingsResponse>> {
  return request(caller, 'GET', 'api/v1/settings');
}

/** Save the given settings; fields left out keep their stored values. */
export function saveSettings(
  caller: Caller,
  settings: Partial<Settings>,
): Promise<ApiResult<SettingsResponse>> {
  return request(caller, 'PUT', 'api/v1/settings', {settings});
}

export function getRecovery(
  caller: Caller,
  invoiceId: string,
): Promise<ApiResult<RecoveryResponse>> {
  return request(caller, 'GET', recoveryPath(invoiceId));
}

export function runRecoveryAction(
  caller: Caller,
  invoiceId: string,
  action: RecoveryAction,
): Promise<ApiResult<RecoveryActionResponse>> {
  return request(caller, 'POST', `${recoveryPath(invoiceId)}/actions`, {action});
}

export function getOverview(caller: Caller): Promise<ApiResult<Overview>> {
  return request(caller, 'GET', 'api/v1/overview');
}

export type Period = {from?: string; to?: string};

/** The account's figures over a period (ISO days, both included); the last 30 days when none is given. */
export function getAnalytics(caller: Caller, period: Period = {}): Promise<ApiResult<Analytics>> {
  const params: Record<string, unknown> = {};
  if (period.from) {
    params.from = period.from;
  }
  if (period.to) {
    params.to = period.to;
  }
  return request(caller, 'GET', 'api/v1/analytics', params);
}

export type RecoveryQuery = {
  status?: RecoveryStatus;
  customer?: string;
  subscription?: string;
  page?: number;
};

/** One page of the account's recoveries, newest first, narrowed by the given filters. */
export function listRecoveries(caller: Caller, query: RecoveryQuery): Promise<ApiResult<RecoveryList>> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) {
      params[key] = value;
    }
  }
  return request(caller, 'GET', 'api/v1/recoveries', params);
}

export function getSmsSetup(caller: Caller): Promise<ApiResult<SmsSetup>> {
  return request(caller, 'GET', 'api/v1/sms/credentials');
}

/** Check the Twilio credentials with Twilio and keep them in Stripe's Secret Store (never in Recoup). */
export function saveSmsCredentials(
  caller: Caller,
  credentials: SmsCredentialsInput,
): Promise<ApiResult<SmsSetup>> {
  return request(caller, 'PUT', 'api/v1/sms/credentials', {credentials});
}

/** The account's running takeover, else its latest one (`takeover` is null before the first). */
export function getTakeover(caller: Caller): Promise<ApiResult<TakeoverResponse>> {
  return request(caller, 'GET', 'api/v1/takeover');
}

/** Start a takeover of earlier failed invoices; while one runs, the running one comes back instead. */
export function startTakeover(caller: Caller, lookBackDays?: number): Promise<ApiResult<TakeoverResponse>> {
  return request(caller, 'POST', 'api/v1/takeover', lookBackDays === undefined ? {} : {look_back_days: lookBackDays});
}

/** What Recoup and the merchant did about one invoice, from the account's audit trail, oldest first. */
export function getInvoiceAudit(caller: Caller, invoiceId: string): Promise<ApiResult<InvoiceAudit>> {
  return request(caller, 'GET', `api/v1/invoices/${encodeURIComponent(invoiceId)}/audit`);
}

/** One page of the account's audit trail, oldest first, after the row numbered `startingAfter`. */
export function getAuditPage(
  caller: Caller,
  startingAfter: number | null,
  limit = 500,
): Promise<ApiResult<AuditPage>> {
  const params: Record<string, unknown> = {format: 'json', limit};
  if (startingAfter !== null) {
    params.starting_after = startingAfter;
  }
  return request(caller, 'GET', 'api/v1/audit', params);
}
