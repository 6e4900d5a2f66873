import {createHttpClient, STRIPE_API_KEY} from '@stripe/ui-extension-sdk/http_client';
import Stripe from 'stripe';

// The Dashboard authenticates these calls itself; they see only what the app's permissions allow.
let client: Stripe | null = null;

function stripe(): Stripe {
  client ??= new Stripe(STRIPE_API_KEY, {httpClient: createHttpClient() as Stripe.HttpClient});
  return client;
}

/** How a merchant recognises each customer: the name, else the e-mail, else the id. Never rejects. */
export async function customerLabels(ids: string[]): Promise<Record<string, string>> {
  const unique = Array.from(new Set(ids));
  const found = await Promise.all(unique.map(async (id) => {
    try {
      const customer = await stripe().customers.retrieve(id);
      return [id, customer.deleted ? id : customer.name || customer.email || id] as const;
    } catch {
      return [id, id] as const;
    }
  }));
  return Object.fromEntries(found);
}
