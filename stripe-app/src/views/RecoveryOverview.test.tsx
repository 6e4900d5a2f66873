import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {Banner, BarChart, FocusView, Link, ListItem, PropertyListItem, Select, Spinner} from '@stripe/ui-extension-sdk/ui';

import type {Overview} from '../api/types';
import {formatDateTime} from '../format/dates';
import {aSummary, anAnalytics, anEmptyOverview, anOverview, contextFor, STRIPE_RETRIES_WARNING} from '../testing/fixtures';
import {FakeBackend} from '../testing/http';
import {buttonLabelled, renderView, unmountAll} from '../testing/views';
import RecoveryOverview from './RecoveryOverview';

jest.mock('../api/customers', () => ({
  customerLabels: jest.fn(async (ids: string[]) => Object.fromEntries(ids.map((id) => [id, id === 'cus_7' ? 'Ada Lovelace' : id]))),
}));

let backend: FakeBackend;

afterEach(unmountAll);

beforeEach(() => {
  backend = new FakeBackend().install();
});

function renderPanel() {
  const props = getMockContextProps(contextFor('stripe.dashboard.home.overview'));
  props.environment.objectContext = null;
  return renderView(<RecoveryOverview {...props} />);
}

function linkText(wrapper: ReturnType<typeof renderPanel>['wrapper'], href: string): string | undefined {
  return wrapper.findAll(Link).find((node) => node.prop('href') === href)?.text;
}

async function renderWith(overview: Overview) {
  backend.respond(200, overview).respond(200, anAnalytics());
  const view = renderPanel();
  await view.update();
  return view;
}

describe('RecoveryOverview', () => {
  it('shows a spinner while the numbers load', async () => {
    backend.hang();

    const {wrapper, update} = renderPanel();
    await update();

    expect(wrapper).toContainComponent(Spinner);
    expect(wrapper).toContainText('Loading your recovery numbers…');
    expect(backend.last.url.pathname).toBe('/api/v1/overview');
    expect(backend.last.url.searchParams.get('account_id')).toBe('acct_1234');
  });

  it('explains a failed load and loads again on request', async () => {
    backend.respond(401, {error: {code: 'invalid_signature', message: 'Your session has expired. Reload the page.'}});
    const {wrapper, update} = renderPanel();
    await update();

    expect(wrapper).toContainComponent(Banner, {
      type: 'critical',
      title: 'Your recovery numbers could not be loaded',
      description: 'Your session has expired. Reload the page.',
    });

    backend.respond(200, anOverview());
    buttonLabelled(wrapper, 'Try again').trigger('onPress', {});
    await update();

    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Active recoveries', value: '12'});
  });

  it('says there is nothing yet when no payment has failed', async () => {
    const {wrapper} = await renderWith(anEmptyOverview());

    expect(wrapper).toContainText('No failed payments yet');
    expect(wrapper).not.toContainComponent(BarChart);
    expect(wrapper).not.toContainComponent(PropertyListItem);
  });

  it('still shows warnings when there is nothing else to show', async () => {
    const {wrapper} = await renderWith({...anEmptyOverview(), warnings: [STRIPE_RETRIES_WARNING]});

    expect(wrapper).toContainComponent(Banner, {
      type: 'caution',
      description: 'Stripe is also retrying an invoice Recoup manages. (invoice in_42)',
    });
  });

  it('shows money recovered per currency, the rate, and what is in flight', async () => {
    const {wrapper} = await renderWith(anOverview());

    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovered', value: '$1,250.00 · €30.00'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovery rate', value: '62%'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Active recoveries', value: '12'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Being recovered', value: '$400.00'});
    expect(wrapper).not.toContainText('No failed payments yet');
  });

  it('shows payments Recoup had no part in beside its own, never inside them', async () => {
    const {wrapper} = await renderWith(anOverview());

    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Paid without Recoup (not counted)', value: '$99.00'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovered', value: '$1,250.00 · €30.00'});
  });

  it('shows how many customer e-mails were sent, opened and clicked', async () => {
    const {wrapper} = await renderWith(anOverview());

    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Customer e-mails',
      value: '40 sent · 55% opened · 23% clicked · 1 could not be delivered',
    });
  });

  it('claims no e-mail figures before the first e-mail is sent', async () => {
    const {wrapper} = await renderWith(anOverview({emails: {sent: 0, opened: 0, clicked: 0, failed: 0}}));

    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Customer e-mails', value: 'None sent yet'});
  });

  it('says the rate is unknown until a recovery has finished', async () => {
    const {wrapper} = await renderWith(anOverview({recovery_rate: null}));

    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovery rate', value: 'No recoveries finished yet'});
  });

  it('lists what is due next and the recent outcomes', async () => {
    const {wrapper} = await renderWith(anOverview());

    expect(wrapper).toContainComponent(ListItem, {
      title: '$25.00 · in_9',
      secondaryTitle: 'next payday',
      value: formatDateTime('2026-12-01T09:00:00Z'),
    });
    expect(wrapper).toContainText("Ada Lovelace · by Recoup's retry");
    expect(wrapper).toContainText(formatDateTime('2026-11-20T08:00:00Z'));
    expect(linkText(wrapper, 'https://dashboard.stripe.com/test/invoices/in_7')).toBe('Recovered · $49.00');
  });

  it('opens the list of every recovery, paged and filtered by status', async () => {
    const {wrapper, update} = await renderWith(anOverview());
    backend
      .respond(200, {recoveries: [aSummary()], page: 1, has_more: true})
      .respond(200, {recoveries: [aSummary({id: 'rec_2', invoice_id: 'in_2'})], page: 2, has_more: false})
      .respond(200, {recoveries: [aSummary({id: 'rec_3', invoice_id: 'in_3', status: 'recovered'})], page: 1, has_more: false});

    buttonLabelled(wrapper, 'View all recoveries').trigger('onPress', {});
    await update();

    expect(wrapper.find(FocusView)?.prop('shown')).toBe(true);
    expect(backend.last.url.pathname).toBe('/api/v1/recoveries');
    expect(backend.last.url.searchParams.get('page')).toBe('1');
    expect(linkText(wrapper, 'https://dashboard.stripe.com/test/invoices/in_123')).toBe('$25.00 · in_123');

    buttonLabelled(wrapper, 'Next').trigger('onPress', {});
    await update();

    expect(backend.last.url.searchParams.get('page')).toBe('2');
    expect(wrapper).toContainText('in_2');

    wrapper.findAll(Select).find((node) => node.prop('label') === 'Status')?.trigger('onChange', {target: {value: 'recovered'}});
    await update();

    expect(backend.last.url.searchParams.get('status')).toBe('recovered');
    expect(backend.last.url.searchParams.get('page')).toBe('1');
    expect(wrapper).toContainText('in_3');
  });

  it('shows the figures of the last 30 days beside the running totals', async () => {
    const {wrapper} = await renderWith(anOverview());

    expect(backend.last.url.pathname).toBe('/api/v1/analytics');
    expect(wrapper).toContainText('Last 30 days');
    expect(wrapper).toContainText('Compared with a 20% success fee');
  });

  it('charts money recovered and new failed payments by week, one chart per currency', async () => {
    const {wrapper} = await renderWith(anOverview());

    const charts = wrapper.findAll(BarChart);

    expect(charts).toHaveLength(2);
    expect(wrapper).toContainText('Money recovered and new failed payments by week (USD)');
    expect(charts[0].props).toMatchObject({
      x: 'week',
      y: 'amount',
      color: 'series',
      data: [
        {week: 'Nov 9', amount: 98, series: 'Recovered'},
        {week: 'Nov 9', amount: 196, series: 'New failed payments'},
        {week: 'Nov 16', amount: 147, series: 'Recovered'},
        {week: 'Nov 16', amount: 245, series: 'New failed payments'},
      ],
    });
    expect(charts[1].props.data).toContainEqual({week: 'Nov 16', amount: 30, series: 'Recovered'});
  });

  it('shows warnings next to the numbers', async () => {
    const {wrapper} = await renderWith(anOverview({warnings: [STRIPE_RETRIES_WARNING]}));

    expect(wrapper).toContainComponent(Banner, {type: 'caution', title: 'Stripe is also retrying'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Active recoveries'});
  });
});
