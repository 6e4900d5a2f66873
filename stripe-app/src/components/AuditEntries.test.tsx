import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {Link, ListItem} from '@stripe/ui-extension-sdk/ui';

import type {AuditEntry} from '../api/types';
import {contextFor} from '../testing/fixtures';
import {FakeBackend} from '../testing/http';
import {renderView, unmountAll} from '../testing/views';
import {AuditEntries, actorLabel, entryTitle} from './AuditEntries';

let backend: FakeBackend;

afterEach(unmountAll);
beforeEach(() => {
  backend = new FakeBackend().install();
});

function anEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    seq: 3, occurred_at: '2026-11-27T09:00:00Z', kind: 'stripe_write', operation: 'invoices.pay',
    object_id: 'in_123', actor: 'job:pay_invoice:42', invoice_id: 'in_123', idempotency_key: 'recoup:rec_1:pay:1',
    request_id: 'req_abc', http_status: 200, outcome: 'succeeded', error: null, redacted: false,
    row_hash: 'f'.repeat(64), ...overrides,
  };
}

function renderEntries() {
  const {userContext, environment} = getMockContextProps(contextFor('stripe.dashboard.invoice.detail'));
  return renderView(<AuditEntries caller={{userContext, environment}} invoiceId="in_123" locale="en-US" />);
}

function openTrail(wrapper: ReturnType<typeof renderEntries>['wrapper']) {
  const link = wrapper.findAll(Link).find((node) => node.text === 'Show audit trail');
  if (!link) {
    throw new Error('no "Show audit trail" link');
  }
  link.trigger('onPress', {});
}

describe('AuditEntries', () => {
  it('asks for nothing until the merchant opens the audit trail', async () => {
    const {wrapper, update} = renderEntries();
    await update();

    expect(backend.requests).toHaveLength(0);
    expect(wrapper).toContainText('Show audit trail');
  });

  it("lists the invoice's Stripe writes and actions with who did them, Stripe's request id and the key", async () => {
    backend.respond(200, {entries: [
      anEntry(),
      anEntry({seq: 4, kind: 'merchant_action', operation: 'recovery.pause', actor: 'dashboard:usr_1Ann',
        idempotency_key: null, request_id: null, http_status: null}),
    ]});
    const {wrapper, update} = renderEntries();

    openTrail(wrapper);
    await update();

    expect(backend.last.url.pathname).toBe('/api/v1/invoices/in_123/audit');
    const items = wrapper.findAll(ListItem);
    expect(items.map((item) => item.prop('title'))).toEqual(['Charged the card', 'Recovery paused']);
    expect(items[0]!.prop('secondaryTitle')).toContain('req_abc');
    expect(items[0]!.prop('secondaryTitle')).toContain('key recoup:rec_1:pay:1');
    expect(items[1]!.prop('secondaryTitle')).toContain('by usr_1Ann in the Dashboard');
  });

  it('says when nothing has been done to the invoice', async () => {
    backend.respond(200, {entries: []});
    const {wrapper, update} = renderEntries();

    openTrail(wrapper);
    await update();

    expect(wrapper).toContainText('Nothing has been done to this invoice yet.');
  });

  it('explains a failed load and offers to try again', async () => {
    backend.respond(503, {error: {code: 'unavailable', message: 'Recoup is busy.'}});
    const {wrapper, update} = renderEntries();

    openTrail(wrapper);
    await update();

    expect(wrapper).toContainText('The audit trail could not be loaded: Recoup is busy.');
    expect(wrapper).toContainText('Try again');
  });

  it('names a refused write and the step that made it', () => {
    expect(entryTitle(anEntry({outcome: 'refused', http_status: 402}))).toBe('Charged the card: refused by Stripe');
    expect(actorLabel('job:end_dunning:7')).toBe('by Recoup (end dunning)');
  });
});
