import type {Mode} from '../api/types';

/** The Dashboard page of an invoice, in the mode the viewer is in. */
export function invoiceHref(invoiceId: string, mode: Mode): string {
  const prefix = mode === 'test' ? 'test/' : '';
  return `https://dashboard.stripe.com/${prefix}invoices/${encodeURIComponent(invoiceId)}`;
}
