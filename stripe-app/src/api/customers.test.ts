import {customerLabels} from './customers';

const answers: Record<string, {status: number; body: unknown}> = {
  '/v1/customers/cus_named': {status: 200, body: {id: 'cus_named', object: 'customer', name: 'Ada Lovelace', email: 'ada@example.com'}},
  '/v1/customers/cus_mail': {status: 200, body: {id: 'cus_mail', object: 'customer', name: null, email: 'grace@example.com'}},
  '/v1/customers/cus_gone': {status: 200, body: {id: 'cus_gone', object: 'customer', deleted: true}},
  '/v1/customers/cus_hidden': {status: 403, body: {error: {type: 'invalid_request_error', message: 'no permission'}}},
};

// The real Stripe client, talking to a fake fetch instead of the Dashboard's authenticated one.
function stripeModule(): typeof import('stripe') {
  const actual = jest.requireActual('stripe');
  return actual.default ?? actual;
}

jest.mock('@stripe/ui-extension-sdk/http_client', () => ({
  STRIPE_API_KEY: 'DO_NOT_PASS_A_REAL_API_KEY',
  createHttpClient: () => stripeModule().createFetchHttpClient(
    async (input: URL | RequestInfo) => {
      const answer = answers[new URL(input instanceof Request ? input.url : String(input)).pathname];
      return new Response(JSON.stringify(answer.body), {status: answer.status, headers: {'Content-Type': 'application/json'}});
    },
  ),
}));

describe('customerLabels', () => {
  it('names each customer as the merchant knows them, and falls back to the id', async () => {
    const labels = await customerLabels(['cus_named', 'cus_mail', 'cus_gone', 'cus_hidden', 'cus_named']);

    expect(labels).toEqual({
      cus_named: 'Ada Lovelace',
      cus_mail: 'grace@example.com',
      cus_gone: 'cus_gone',
      cus_hidden: 'cus_hidden',
    });
  });

});
