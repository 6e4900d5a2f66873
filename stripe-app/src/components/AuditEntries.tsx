import {Box, Inline, Link, List, ListItem} from '@stripe/ui-extension-sdk/ui';
import {useState} from 'react';

import type {Caller} from '../api/client';
import {getInvoiceAudit} from '../api/recoup';
import type {ApiError, AuditEntry} from '../api/types';
import {formatDateTime} from '../format/dates';

type Props = {caller: Caller; invoiceId: string; locale?: string};

type State =
  | {status: 'hidden'}
  | {status: 'loading'}
  | {status: 'error'; error: ApiError}
  | {status: 'ready'; entries: AuditEntry[]};

const OPERATION_LABELS: Record<string, string> = {
  'invoices.pay': 'Charged the card',
  'invoices.update': 'Updated the invoice',
  'invoices.void': 'Voided the invoice',
  'invoices.mark_uncollectible': 'Marked the invoice uncollectible',
  'subscriptions.update': 'Updated the subscription',
  'subscriptions.cancel': 'Cancelled the subscription',
  'customers.update': "Changed the customer's default card",
  'checkout.sessions.create': 'Created a card update page',
  'recovery.retry_now': 'Retry now pressed',
  'recovery.pause': 'Recovery paused',
  'recovery.resume': 'Recovery resumed',
  'recovery.stop': 'Recovery stopped',
  'recovery.enrol': 'Invoice enrolled',
};

export function entryTitle(entry: AuditEntry): string {
  const label = OPERATION_LABELS[entry.operation] ?? entry.operation;
  if (entry.kind !== 'stripe_write' || entry.outcome === 'succeeded') {
    return label;
  }
  return `${label}: ${entry.outcome === 'refused' ? 'refused by Stripe' : 'no answer from Stripe'}`;
}

/** Who acted: a Dashboard user, or Recoup itself while running one of its steps. */
export function actorLabel(actor: string): string {
  if (actor.startsWith('dashboard:')) {
    return `by ${actor.slice('dashboard:'.length)} in the Dashboard`;
  }
  if (actor === 'customer_page') {
    return 'by the customer on the card update page';
  }
  if (actor.startsWith('job:')) {
    return `by Recoup (${actor.split(':')[1]?.replace(/_/g, ' ') ?? 'step'})`;
  }
  return `by ${actor}`;
}

export function entryDetails(entry: AuditEntry, locale?: string): string {
  const parts = [formatDateTime(entry.occurred_at, locale), actorLabel(entry.actor)];
  if (entry.kind === 'stripe_write') {
    parts.push(entry.http_status === null ? 'no answer' : `HTTP ${entry.http_status}`);
    if (entry.request_id) {
      parts.push(entry.request_id);
    }
    if (entry.idempotency_key) {
      parts.push(`key ${entry.idempotency_key}`);
    }
  }
  if (entry.error) {
    parts.push(entry.error);
  }
  return parts.join(' · ');
}

/**
 * The invoice's rows of the audit trail: each Stripe write and merchant action, with who and why.
 * Loaded on request, so opening the panel costs no extra call.
 */
export function AuditEntries({caller, invoiceId, locale}: Props) {
  const [state, setState] = useState<State>({status: 'hidden'});

  const load = async () => {
    setState({status: 'loading'});
    const result = await getInvoiceAudit(caller, invoiceId);
    setState(result.ok ? {status: 'ready', entries: result.data.entries} : {status: 'error', error: result.error});
  };

  return (
    <Box css={{stack: 'y', gap: 'small'}}>
      <Inline css={{font: 'subheading'}}>Audit trail</Inline>
      {state.status === 'hidden' || state.status === 'error' ? (
        <Box>
          <Link onPress={() => void load()}>
            {state.status === 'error' ? 'Try again' : 'Show audit trail'}
          </Link>
        </Box>
      ) : null}
      {state.status === 'loading' ? <Inline css={{color: 'secondary'}}>Loading the audit trail…</Inline> : null}
      {state.status === 'error' ? (
        <Inline css={{color: 'critical'}}>The audit trail could not be loaded: {state.error.message}</Inline>
      ) : null}
      {state.status === 'ready' && state.entries.length === 0 ? (
        <Inline css={{color: 'secondary'}}>Nothing has been done to this invoice yet.</Inline>
      ) : null}
      {state.status === 'ready' && state.entries.length > 0 ? (
        <List>
          {state.entries.map((entry) => (
            <ListItem key={entry.seq} id={String(entry.seq)} title={entryTitle(entry)}
              secondaryTitle={entryDetails(entry, locale)} />
          ))}
        </List>
      ) : null}
    </Box>
  );
}
