import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {Badge, Banner, Button, ListItem, PropertyListItem, Spinner} from '@stripe/ui-extension-sdk/ui';
import {showToast} from '@stripe/ui-extension-sdk/utils';

import {TOAST_MAX_LENGTH} from '../components/notify';
import {formatDateTime} from '../format/dates';
import {aRecovery, contextFor} from '../testing/fixtures';
import {FakeBackend} from '../testing/http';
import {buttonLabelled, renderView, unmountAll} from '../testing/views';
import InvoiceRecovery, {ACTION_TOASTS, CONFLICT_TOAST, FAILED_TOAST, RECOVERED_TOAST} from './InvoiceRecovery';

jest.mock('@stripe/ui-extension-sdk/utils', () => ({
  ...jest.requireActual('@stripe/ui-extension-sdk/utils'),
  fetchStripeSignature: jest.fn(async () => 't=1,v1=abc'),
  showToast: jest.fn(async () => ({update: jest.fn(), dismiss: jest.fn()})),
}));

const mockRefreshDashboard = jest.fn(async () => undefined);
jest.mock('@stripe/ui-extension-sdk/context', () => ({
  ...jest.requireActual('@stripe/ui-extension-sdk/context'),
  useRefreshDashboardData: () => mockRefreshDashboard,
}));

const toast = showToast as jest.MockedFunction<typeof showToast>;
const INVOICE = {id: 'in_123', object: 'invoice'};

let backend: FakeBackend;
let clock: jest.SpyInstance<number, []>;

afterEach(() => {
  unmountAll();
  clock.mockRestore();
});

beforeEach(() => {
  backend = new FakeBackend().install();
  // Day 5 of the fixture's dunning window, which opened on 23 November.
  clock = jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-11-27T12:00:00Z'));
  toast.mockClear();
  mockRefreshDashboard.mockClear();
});

function renderPanel(objectContext: {id: string; object: string} | null = INVOICE) {
  const props = getMockContextProps(contextFor('stripe.dashboard.invoice.detail'));
  // getMockContextProps fills a null objectContext with its own test object, so set it afterwards.
  props.environment.objectContext = objectContext;
  return renderView(<InvoiceRecovery {...props} />);
}

async function renderWith(recovery: ReturnType<typeof aRecovery> | null) {
  backend.respond(200, {recovery});
  const view = renderPanel();
  await view.update();
  return view;
}

function buttonLabels(wrapper: ReturnType<typeof renderPanel>['wrapper']): string[] {
  return wrapper.findAll(Button).map((node) => node.text);
}

describe('InvoiceRecovery', () => {
  it('shows a spinner while the recovery loads', async () => {
    backend.hang();

    const {wrapper, update} = renderPanel();
    await update();

    expect(wrapper).toContainComponent(Spinner);
    expect(wrapper).toContainText("Loading this invoice's recovery…");
    expect(backend.last.url.pathname).toBe('/api/v1/invoices/in_123/recovery');
  });

  it('explains a failed load and loads again on request', async () => {
    backend.respond(500, {error: {code: 'internal', message: 'Recoup had a problem. Try again in a minute.'}});
    const {wrapper, update} = renderPanel();
    await update();

    expect(wrapper).toContainComponent(Banner, {type: 'critical', description: 'Recoup had a problem. Try again in a minute.'});

    backend.respond(200, {recovery: aRecovery()});
    buttonLabelled(wrapper, 'Try again').trigger('onPress', {});
    await update();

    expect(wrapper).toContainComponent(Badge, {type: 'info'});
  });

  it('asks for an invoice when the panel has none, without calling the backend', async () => {
    const {wrapper, update} = renderPanel(null);
    await update();

    expect(wrapper).toContainComponent(Banner, {title: 'No invoice selected', description: 'Open an invoice to see its recovery.'});
    expect(buttonLabels(wrapper)).toEqual([]);
    expect(backend.requests).toHaveLength(0);
  });

  it('offers to enrol an invoice Recoup does not manage', async () => {
    const {wrapper, update} = await renderWith(null);

    expect(wrapper).toContainText('Recoup is not recovering this invoice.');
    expect(buttonLabels(wrapper)).toEqual(['Enrol in recovery']);

    backend.respond(200, {recovery: aRecovery()});
    buttonLabelled(wrapper, 'Enrol in recovery').trigger('onPress', {});
    await update();

    expect(backend.last.method).toBe('POST');
    expect(backend.last.url.pathname).toBe('/api/v1/invoices/in_123/recovery/actions');
    expect(backend.last.body).toEqual({user_id: 'usr_1234', account_id: 'acct_1234', mode: 'test', action: 'enrol'});
    expect(toast).toHaveBeenCalledWith('Invoice enrolled', {type: 'success'});
    expect(wrapper).toContainComponent(Badge, {type: 'info'});
    expect(mockRefreshDashboard).toHaveBeenCalled();
  });

  it("tells the invoice's recovery story", async () => {
    const recovery = aRecovery();

    const {wrapper} = await renderWith(recovery);

    expect(wrapper.find(Badge)?.text).toBe('Retry scheduled');
    expect(wrapper).toContainText('$25.00');
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Why it failed',
      value: 'The card has insufficient funds. (insufficient_funds)',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Strategy',
      value: "Retry around paydays (the 1st, the 15th or a Friday), in the customer's morning",
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Progress',
      value: 'Retry 1 of 6 · day 5 of 28 of the dunning window',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Next retry',
      value: `${formatDateTime('2026-12-01T09:00:00Z')}: insufficient funds: next payday, Tuesday 09:00 customer time`,
    });
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovery ends', value: formatDateTime('2026-12-21T10:00:00Z')});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Difficulty', value: '42 out of 100'});
    expect(wrapper).toContainComponent(ListItem, {
      title: 'Failed payment · Visa •••• 4242',
      secondaryTitle: 'The failed payment that opened the recovery',
      value: formatDateTime('2026-11-23T10:00:00Z'),
    });
    expect(wrapper).toContainComponent(ListItem, {
      title: 'Retry 1 · Visa •••• 4242',
      secondaryTitle: 'Declined · Insufficient funds · Scheduled retry',
      value: formatDateTime('2026-11-25T09:00:00Z'),
    });
    expect(wrapper).toContainComponent(ListItem, {
      title: 'Email: Payment failed notice',
      secondaryTitle: `Sent ${formatDateTime('2026-11-23T11:00:00Z')} · opened ${formatDateTime('2026-11-23T12:30:00Z')}`,
    });
    expect(buttonLabels(wrapper)).toEqual(['Retry now', 'Pause', 'Stop']);
    expect(wrapper).not.toContainComponent(Banner, {title: 'Observe only'});
  });

  it('says when nothing has been attempted or emailed yet', async () => {
    const {wrapper} = await renderWith(aRecovery({attempts: [], messages: [], decline: null}));

    expect(wrapper).toContainText('No payment attempts yet.');
    expect(wrapper).toContainText('No messages planned or sent yet.');
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Why it failed', value: 'No decline recorded'});
  });

  it('warns that nothing is charged in observe-only mode', async () => {
    const {wrapper} = await renderWith(aRecovery({observe_only: true, status: 'observing'}));

    expect(wrapper).toContainComponent(Banner, {title: 'Observe only'});
    expect(wrapper.find(Badge)?.text).toBe('Observing');
  });

  it('pauses, confirms with a toast and shows the new state', async () => {
    const {wrapper, update} = await renderWith(aRecovery());
    backend.respond(200, {recovery: aRecovery({status: 'paused', actions: ['resume', 'stop']})});

    buttonLabelled(wrapper, 'Pause').trigger('onPress', {});
    await update();

    expect(backend.last.body).toMatchObject({action: 'pause'});
    expect(toast).toHaveBeenCalledWith('Recovery paused', {type: 'success'});
    expect(wrapper.find(Badge)?.text).toBe('Paused');
    expect(buttonLabels(wrapper)).toEqual(['Resume', 'Stop']);
    expect(mockRefreshDashboard).toHaveBeenCalledTimes(1);
  });

  it('celebrates a retry that recovered the payment', async () => {
    const {wrapper, update} = await renderWith(aRecovery());
    backend.respond(200, {recovery: aRecovery({status: 'recovered', actions: [], outcome: 'recovered', recovered_by: 'recoup_retry'})});

    buttonLabelled(wrapper, 'Retry now').trigger('onPress', {});
    await update();

    expect(toast).toHaveBeenCalledWith('Payment recovered', {type: 'success'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Outcome', value: "Recovered by Recoup's retry"});
    expect(buttonLabels(wrapper)).toEqual([]);
  });

  it('reloads the recovery when its state no longer allows the action', async () => {
    const {wrapper, update} = await renderWith(aRecovery());
    backend
      .respond(409, {error: {code: 'conflict', message: 'This invoice was paid in the meantime.'}})
      .respond(200, {recovery: aRecovery({status: 'closed', actions: []})});

    buttonLabelled(wrapper, 'Retry now').trigger('onPress', {});
    await update();

    expect(toast).toHaveBeenCalledWith('Not possible right now', {type: 'caution'});
    expect(wrapper).toContainComponent(Banner, {type: 'critical', description: 'This invoice was paid in the meantime.'});
    expect(backend.requests.map((request) => request.method)).toEqual(['GET', 'POST', 'GET']);
    expect(wrapper.find(Badge)?.text).toBe('Closed');
    expect(mockRefreshDashboard).not.toHaveBeenCalled();
  });

  it('keeps the panel and explains a failed action', async () => {
    const {wrapper, update} = await renderWith(aRecovery());
    backend.failNetwork();

    buttonLabelled(wrapper, 'Stop').trigger('onPress', {});
    await update();
    buttonLabelled(wrapper, 'Stop recovery').trigger('onPress', {});
    await update();

    expect(toast).toHaveBeenCalledWith('Action failed', {type: 'caution'});
    expect(wrapper).toContainComponent(Banner, {
      type: 'critical',
      description: 'Could not reach Recoup. Check your connection and try again.',
    });
    expect(buttonLabels(wrapper)).toEqual(['Retry now', 'Pause', 'Stop']);
  });

  it('asks before stopping, and stops only once confirmed', async () => {
    const {wrapper, update} = await renderWith(aRecovery());

    buttonLabelled(wrapper, 'Stop').trigger('onPress', {});
    await update();

    expect(wrapper).toContainComponent(Banner, {title: 'Stop recovering this invoice?'});
    expect(backend.requests.map((request) => request.method)).toEqual(['GET']);

    buttonLabelled(wrapper, 'Keep recovering').trigger('onPress', {});
    await update();

    expect(wrapper).not.toContainComponent(Banner, {title: 'Stop recovering this invoice?'});
    expect(backend.requests.map((request) => request.method)).toEqual(['GET']);

    backend.respond(200, {recovery: aRecovery({status: 'closed', actions: [], outcome: 'stopped'})});
    buttonLabelled(wrapper, 'Stop').trigger('onPress', {});
    await update();
    buttonLabelled(wrapper, 'Stop recovery').trigger('onPress', {});
    await update();

    expect(backend.last.body).toMatchObject({action: 'stop'});
    expect(wrapper.find(Badge)?.text).toBe('Closed');
  });

  it('shows no buttons to a Dashboard role that may only look', async () => {
    backend.respond(200, {recovery: aRecovery()});
    const props = getMockContextProps(contextFor('stripe.dashboard.invoice.detail'));
    props.environment.objectContext = INVOICE;
    props.userContext.roles = [{id: 'view_only', name: 'View only', type: 'builtIn'}];

    const {wrapper, update} = renderView(<InvoiceRecovery {...props} />);
    await update();

    expect(buttonLabels(wrapper)).toEqual([]);
    expect(wrapper).toContainText('Your Dashboard role can view this recovery but not change it.');
  });

  it('warns when Stripe is retrying the invoice too, and tells what the end of dunning did', async () => {
    const {wrapper} = await renderWith(aRecovery({
      status: 'exhausted',
      actions: [],
      stripe_retrying: true,
      outcome: 'exhausted',
      outcome_detail: 'subscription cancelled; invoice marked uncollectible',
    }));

    expect(wrapper).toContainComponent(Banner, {type: 'caution', title: 'Stripe is also retrying this invoice'});
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'At the end of dunning',
      value: 'subscription cancelled; invoice marked uncollectible',
    });
  });

  it('keeps every toast short enough for the Dashboard to show', () => {
    const messages = [...Object.values(ACTION_TOASTS), RECOVERED_TOAST, CONFLICT_TOAST, FAILED_TOAST];

    for (const message of messages) {
      expect(message.length).toBeGreaterThan(0);
      expect(message.length).toBeLessThanOrEqual(TOAST_MAX_LENGTH);
    }
  });
});
