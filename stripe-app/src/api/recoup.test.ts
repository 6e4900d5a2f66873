import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {fetchStripeSignature} from '@stripe/ui-extension-sdk/utils';

import {API_BASE, aRecovery, aSettings, anOverview, contextFor} from '../testing/fixtures';
import {TEST_SIGNATURE} from '../testing/setup';
import {FakeBackend} from '../testing/http';
import {apiUrl, type Caller} from './client';
import {getOverview, getRecovery, getSettings, runRecoveryAction, saveSettings} from './recoup';

const signature = fetchStripeSignature as jest.MockedFunction<typeof fetchStripeSignature>;

function aCaller(overrides: {constants?: Record<string, string>; mode?: 'test' | 'live'} = {}): Caller {
  const base = contextFor('stripe.dashboard.home.overview');
  return getMockContextProps({
    userContext: {id: 'usr_9', account: {id: 'acct_9'}},
    environment: {...base.environment, mode: overrides.mode ?? 'test', constants: overrides.constants ?? {API_BASE}},
  });
}

let backend: FakeBackend;

beforeEach(() => {
  backend = new FakeBackend().install();
  signature.mockClear();
});

describe('GET requests', () => {
  it('carry user_id, account_id and mode in the query and the signature in a header', async () => {
    backend.respond(200, {settings: aSettings(), warnings: []});

    await getSettings(aCaller({mode: 'live'}));

    const sent = backend.last;
    expect(sent.method).toBe('GET');
    expect(`${sent.url.origin}${sent.url.pathname}`).toBe('https://recoup.acme.test/api/v1/settings');
    expect(Object.fromEntries(sent.url.searchParams)).toEqual({user_id: 'usr_9', account_id: 'acct_9', mode: 'live'});
    expect(sent.headers['Stripe-Signature']).toBe(TEST_SIGNATURE);
    expect(sent.body).toBeUndefined();
  });

  it('ask Stripe for a fresh signature on every request', async () => {
    backend.respond(200, {recovery: null}).respond(200, {recovery: null});

    await getRecovery(aCaller(), 'in_1');
    await getRecovery(aCaller(), 'in_1');

    expect(signature).toHaveBeenCalledTimes(2);
  });

  it('put the invoice id in the recovery path, escaped', async () => {
    backend.respond(200, {recovery: aRecovery()});

    const result = await getRecovery(aCaller(), 'in_1/../x');

    expect(backend.last.url.pathname).toBe('/api/v1/invoices/in_1%2F..%2Fx/recovery');
    expect(result).toEqual({ok: true, data: {recovery: aRecovery()}});
  });

  it('read the overview', async () => {
    backend.respond(200, anOverview());

    const result = await getOverview(aCaller());

    expect(backend.last.url.pathname).toBe('/api/v1/overview');
    expect(result).toEqual({ok: true, data: anOverview()});
  });
});

describe('requests with a body', () => {
  it('send the settings with the identity in a JSON body', async () => {
    backend.respond(200, {settings: aSettings({max_retries: 8}), warnings: []});

    const result = await saveSettings(aCaller(), {max_retries: 8});

    const sent = backend.last;
    expect(sent.method).toBe('PUT');
    expect(sent.url.toString()).toBe('https://recoup.acme.test/api/v1/settings');
    expect(sent.headers).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'Stripe-Signature': TEST_SIGNATURE,
    });
    expect(sent.body).toEqual({user_id: 'usr_9', account_id: 'acct_9', mode: 'test', settings: {max_retries: 8}});
    expect(result.ok).toBe(true);
  });

  it('post a recovery action to the actions endpoint', async () => {
    backend.respond(200, {recovery: aRecovery({status: 'paused'})});

    await runRecoveryAction(aCaller(), 'in_123', 'pause');

    const sent = backend.last;
    expect(sent.method).toBe('POST');
    expect(sent.url.toString()).toBe('https://recoup.acme.test/api/v1/invoices/in_123/recovery/actions');
    expect(sent.body).toEqual({user_id: 'usr_9', account_id: 'acct_9', mode: 'test', action: 'pause'});
  });
});

describe('failures become values', () => {
  it('keeps the code, message and field of an API error', async () => {
    backend.respond(422, {error: {code: 'invalid_setting', message: 'must be between 1 and 10', field: 'max_retries'}});

    const result = await saveSettings(aCaller(), {max_retries: 11});

    expect(result).toEqual({
      ok: false,
      status: 422,
      error: {code: 'invalid_setting', message: 'must be between 1 and 10', field: 'max_retries'},
    });
  });

  it('keeps the status of a conflict', async () => {
    backend.respond(409, {error: {code: 'conflict', message: 'This recovery is not paused.'}});

    const result = await runRecoveryAction(aCaller(), 'in_123', 'resume');

    expect(result).toEqual({ok: false, status: 409, error: {code: 'conflict', message: 'This recovery is not paused.'}});
  });

  it('describes an error answer that is not in the API error shape', async () => {
    backend.respond(502, '<html>Bad gateway</html>');

    const result = await getOverview(aCaller());

    expect(result).toEqual({
      ok: false,
      status: 502,
      error: {code: 'unexpected_response', message: 'Recoup could not complete the request (error 502). Please try again.'},
    });
  });

  it('treats an unreadable success answer as an error', async () => {
    backend.respond(200, 'not json');

    const result = await getOverview(aCaller());

    expect(result).toMatchObject({ok: false, status: 200, error: {code: 'unexpected_response'}});
  });

  it('reports a network failure', async () => {
    backend.failNetwork();

    const result = await getSettings(aCaller());

    expect(result).toEqual({
      ok: false,
      status: null,
      error: {code: 'network_error', message: 'Could not reach Recoup. Check your connection and try again.'},
    });
  });

  it('reports a signature Stripe would not give, without calling the backend', async () => {
    signature.mockRejectedValueOnce(new Error('host unavailable'));

    const result = await getSettings(aCaller());

    expect(result).toMatchObject({ok: false, status: null, error: {code: 'signature_unavailable'}});
    expect(backend.requests).toHaveLength(0);
  });

  it('reports a missing API_BASE constant, without calling the backend', async () => {
    const result = await getSettings(aCaller({constants: {}}));

    expect(result).toMatchObject({ok: false, status: null, error: {code: 'not_configured'}});
    expect(backend.requests).toHaveLength(0);
  });

  it('refuses the placeholder host the shipped manifest carries, loudly and without calling it', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    const result = await getSettings(aCaller({constants: {API_BASE: 'https://api.recoup.example/'}}));

    expect(result).toMatchObject({ok: false, status: null, error: {code: 'placeholder_host'}});
    expect(backend.requests).toHaveLength(0);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('npm run set-host'));
    logged.mockRestore();
  });
});

describe('apiUrl', () => {
  it('keeps a path that the base URL already has', () => {
    expect(apiUrl('https://example.com/recoup', 'api/v1/overview').toString())
      .toBe('https://example.com/recoup/api/v1/overview');
    expect(apiUrl('https://example.com/recoup/', '/api/v1/overview').toString())
      .toBe('https://example.com/recoup/api/v1/overview');
  });
});
