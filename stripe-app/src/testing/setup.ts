// Every test runs outside the Dashboard, where Stripe cannot sign requests: one fixed signature
// stands in for it, so tests can assert the header the backend receives.
export const TEST_SIGNATURE = 't=1700000000,v1=abc123';

jest.mock('@stripe/ui-extension-sdk/utils', () => ({
  ...jest.requireActual('@stripe/ui-extension-sdk/utils'),
  fetchStripeSignature: jest.fn(async () => 't=1700000000,v1=abc123'),
}));
