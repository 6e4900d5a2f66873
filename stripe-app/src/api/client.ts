import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {fetchStripeSignature} from '@stripe/ui-extension-sdk/utils';

import type {ApiError, ApiResult} from './types';

/** What a view knows about who is calling: the Dashboard user, the account and the mode. */
export type Caller = Pick<ExtensionContextValue, 'userContext' | 'environment'>;

export type Method = 'GET' | 'POST' | 'PUT';

type Payload = Record<string, unknown>;

const NOT_CONFIGURED: ApiError = {
  code: 'not_configured',
  message: 'Recoup is not set up correctly: its server address is missing. Please contact Recoup support.',
};
const PLACEHOLDER_HOST: ApiError = {
  code: 'placeholder_host',
  message:
    "This copy of Recoup still points at the placeholder server api.recoup.example. Its operator must set their own host (npm run set-host) before uploading the app.",
};
const NO_SIGNATURE: ApiError = {
  code: 'signature_unavailable',
  message: 'Stripe could not confirm your session. Reload the page and try again.',
};
const NETWORK: ApiError = {
  code: 'network_error',
  message: 'Could not reach Recoup. Check your connection and try again.',
};

/** Join the configured base URL and an API path, keeping any path the base already has. */
export function apiUrl(base: string, path: string): URL {
  const withSlash = base.endsWith('/') ? base : `${base}/`;
  return new URL(path.replace(/^\/+/, ''), withSlash);
}

/** True for hosts under the reserved `.example` domain, which the shipped manifest uses as a placeholder. */
export function isPlaceholderHost(base: string): boolean {
  try {
    return new URL(base).hostname.endsWith('.example');
  } catch {
    return false;
  }
}

function apiBase(caller: Caller): string | null {
  const constants = caller.environment.constants;
  if (constants && typeof constants === 'object' && !Array.isArray(constants)) {
    const base = (constants as Record<string, unknown>).API_BASE;
    if (typeof base === 'string' && base !== '') {
      return base;
    }
  }
  return null;
}

function identity(caller: Caller) {
  // The signature covers user_id and account_id; the backend rebuilds that payload from these fields.
  return {
    user_id: caller.userContext.id ?? '',
    account_id: caller.userContext.account.id,
    mode: caller.environment.mode,
  };
}

function failure<T>(status: number | null, error: ApiError): ApiResult<T> {
  return {ok: false, status, error};
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorFromBody(status: number, body: unknown): ApiError {
  const error = isObject(body) ? body.error : undefined;
  if (isObject(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    return typeof error.field === 'string'
      ? {code: error.code, message: error.message, field: error.field}
      : {code: error.code, message: error.message};
  }
  return {
    code: 'unexpected_response',
    message: `Recoup could not complete the request (error ${status}). Please try again.`,
  };
}

/**
 * Send one signed request to Recoup's API and resolve to a value, never a rejection.
 *
 * GET carries user_id, account_id and mode in the query string; other methods carry them, with the
 * payload, in a JSON body.
 */
export async function request<T>(
  caller: Caller,
  method: Method,
  path: string,
  payload: Payload = {},
): Promise<ApiResult<T>> {
  const base = apiBase(caller);
  if (base === null) {
    return failure(null, NOT_CONFIGURED);
  }
  if (isPlaceholderHost(base)) {
    // Loud on purpose: an app uploaded with the placeholder would silently fail every request.
    console.error(`Recoup: API_BASE is the placeholder ${base}; run npm run set-host before uploading.`);
    return failure(null, PLACEHOLDER_HOST);
  }

  let signature: string;
  try {
    signature = await fetchStripeSignature();
  } catch {
    return failure(null, NO_SIGNATURE);
  }

  const url = apiUrl(base, path);
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Stripe-Signature': signature,
  };
  const init: RequestInit = {method, headers};
  if (method === 'GET') {
    for (const [key, value] of Object.entries({...payload, ...identity(caller)})) {
      url.searchParams.set(key, String(value));
    }
  } else {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify({...identity(caller), ...payload});
  }

  let response: Response;
  let text: string;
  try {
    response = await fetch(url.toString(), init);
    text = await response.text();
  } catch {
    return failure(null, NETWORK);
  }

  const body = parseJson(text);
  if (!response.ok) {
    return failure(response.status, errorFromBody(response.status, body));
  }
  if (!isObject(body)) {
    return failure(response.status, {
      code: 'unexpected_response',
      message: 'Recoup sent an answer this page could not read. Please try again.',
    });
  }
  return {ok: true, data: body as T};
}
