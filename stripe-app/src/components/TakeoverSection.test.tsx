import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {Banner, Button, TextField} from '@stripe/ui-extension-sdk/ui';

import type {Takeover} from '../api/types';
import {contextFor} from '../testing/fixtures';
import {FakeBackend} from '../testing/http';
import {buttonLabelled, renderView, unmountAll} from '../testing/views';
import {TakeoverSection} from './TakeoverSection';

let backend: FakeBackend;

afterEach(unmountAll);
beforeEach(() => {
  backend = new FakeBackend().install();
});

function takeover(changes: Partial<Takeover> = {}): Takeover {
  return {
    id: 'tko_1', status: 'running', look_back_days: 60, since: '2026-10-02T08:00:00+00:00',
    walked_until: '2026-10-20T08:00:00+00:00', scanned: 0, enrolled: 0, skipped: {},
    started_at: '2026-12-01T08:00:00+00:00', finished_at: null, error: null, ...changes,
  };
}

async function renderSection(first: unknown, status = 200) {
  backend.respond(status, first);
  const {userContext, environment} = getMockContextProps(contextFor('settings'));
  const view = renderView(<TakeoverSection caller={{userContext, environment}} pollMs={0} />);
  await view.update();
  return view;
}

describe('TakeoverSection', () => {
  it('offers to start when no takeover ever ran', async () => {
    const {wrapper} = await renderSection({takeover: null});

    expect(backend.last.method).toBe('GET');
    expect(backend.last.url.pathname).toBe('/api/v1/takeover');
    expect(wrapper).toContainText('Take over existing failed invoices');
    expect(buttonLabelled(wrapper, 'Take over existing failed invoices')).toBeTruthy();
    expect(wrapper).not.toContainText('put into recovery');
  });

  it('starts a takeover with the chosen look-back and follows its progress until it is done', async () => {
    const {wrapper, update} = await renderSection({takeover: null});
    wrapper.find(TextField, {name: 'takeover_look_back_days'})!.trigger('onChange', {target: {value: '30'}});
    backend.respond(202, {takeover: takeover({look_back_days: 30})});
    backend.respond(200, {takeover: takeover({scanned: 100, enrolled: 12, skipped: {never_attempted: 88}})});
    backend.hang();

    buttonLabelled(wrapper, 'Take over existing failed invoices').trigger('onPress', {});
    await update();

    expect(backend.requests[1]!.method).toBe('POST');
    expect(backend.requests[1]!.body).toMatchObject({look_back_days: 30});
    expect(backend.requests[2]!.method).toBe('GET');
    expect(wrapper).toContainText('Taking over failed invoices created since');
    expect(wrapper).toContainText('100 open invoices checked: 12 put into recovery, 88 left alone.');
    expect(wrapper).toContainText('Left alone: 88 never charged yet');
    expect(wrapper.findAll(Button)).toHaveLength(0);  // nothing to press while it runs
  });

  it('shows the finished takeover with every reason an invoice was left alone', async () => {
    const {wrapper} = await renderSection({takeover: takeover({
      status: 'done', scanned: 1950, enrolled: 250, finished_at: '2026-12-01T08:05:00+00:00',
      skipped: {never_attempted: 1000, subscription_stopped: 650, managed_by_recoup: 50},
    })});

    expect(wrapper).toContainText('The last takeover finished on');
    expect(wrapper).toContainText('1950 open invoices checked: 250 put into recovery, 1700 left alone.');
    expect(wrapper).toContainText('Left alone: 650 subscription cancelled or paused');
    expect(wrapper).toContainText('Left alone: 50 already in recovery with Recoup');
    expect(buttonLabelled(wrapper, 'Take over again')).toBeTruthy();
    expect(backend.requests).toHaveLength(1);  // a finished takeover is not polled
  });

  it('shows a refused look-back on its field and keeps the button', async () => {
    const {wrapper, update} = await renderSection({takeover: null});
    wrapper.find(TextField, {name: 'takeover_look_back_days'})!.trigger('onChange', {target: {value: '400'}});
    backend.respond(400, {error: {code: 'invalid_look_back', field: 'look_back_days',
      message: 'look_back_days must be a whole number from 1 to 365'}});

    buttonLabelled(wrapper, 'Take over existing failed invoices').trigger('onPress', {});
    await update();

    expect(wrapper).toContainComponent(TextField, {
      name: 'takeover_look_back_days', invalid: true, error: 'look_back_days must be a whole number from 1 to 365',
    });
    expect(buttonLabelled(wrapper, 'Take over existing failed invoices')).toBeTruthy();
  });

  it('says why a start was refused when recovery is off', async () => {
    const {wrapper, update} = await renderSection({takeover: null});
    backend.respond(409, {error: {code: 'conflict',
      message: 'switch recovery on in Settings before taking over failed invoices'}});

    buttonLabelled(wrapper, 'Take over existing failed invoices').trigger('onPress', {});
    await update();

    expect(wrapper).toContainText('switch recovery on in Settings before taking over failed invoices');
  });

  it('shows a failed takeover and why it stopped', async () => {
    const {wrapper} = await renderSection({takeover: takeover({
      status: 'failed', scanned: 300, enrolled: 20, skipped: {never_attempted: 280},
      error: 'Stripe stayed unavailable', finished_at: '2026-12-01T09:00:00+00:00'})});

    expect(wrapper).toContainText('The last takeover stopped before the end: Stripe stayed unavailable');
    expect(wrapper).toContainText('300 open invoices checked: 20 put into recovery, 280 left alone.');
  });

  it('offers a retry when the status cannot be loaded', async () => {
    const {wrapper} = await renderSection({error: {code: 'internal', message: 'boom'}}, 500);

    expect(wrapper).toContainComponent(Banner, {title: 'The takeover status could not be loaded', description: 'boom'});
    expect(buttonLabelled(wrapper, 'Try again')).toBeTruthy();
  });
});
