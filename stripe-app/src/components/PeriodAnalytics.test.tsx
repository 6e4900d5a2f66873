import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {Banner, PropertyListItem, Select, Spinner} from '@stripe/ui-extension-sdk/ui';

import {formatMoney} from '../format/money';
import {anAnalytics, contextFor} from '../testing/fixtures';
import {FakeBackend} from '../testing/http';
import {renderView, unmountAll} from '../testing/views';
import {lastDays, PeriodAnalytics} from './PeriodAnalytics';

let backend: FakeBackend;

afterEach(unmountAll);

beforeEach(() => {
  backend = new FakeBackend().install();
});

function renderPanel() {
  const props = getMockContextProps(contextFor('stripe.dashboard.home.overview'));
  return renderView(<PeriodAnalytics context={props} />);
}

describe('PeriodAnalytics', () => {
  it('asks for the last 30 days at first and shows a spinner meanwhile', async () => {
    backend.hang();

    const {wrapper, update} = renderPanel();
    await update();

    expect(wrapper).toContainComponent(Spinner);
    expect(backend.last.url.pathname).toBe('/api/v1/analytics');
    const {from, to} = lastDays(30);
    expect(backend.last.url.searchParams.get('from')).toBe(from);
    expect(backend.last.url.searchParams.get('to')).toBe(to);
  });

  it('shows the figures of the period', async () => {
    backend.respond(200, anAnalytics());

    const {wrapper, update} = renderPanel();
    await update();

    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovered by Recoup', value: formatMoney(10000, 'eur')});
  });

  it('loads another period when the merchant picks one', async () => {
    backend.respond(200, anAnalytics()).respond(200, anAnalytics({success_fee_percent: 10}));
    const {wrapper, update} = renderPanel();
    await update();

    wrapper.find(Select)!.trigger('onChange', {target: {value: '90'}});
    await update();

    expect(backend.last.url.searchParams.get('from')).toBe(lastDays(90).from);
    expect(wrapper).toContainText('Last 90 days');
    expect(wrapper).toContainText('Compared with a 10% success fee');
  });

  it('explains a failed load', async () => {
    backend.respond(400, {error: {code: 'invalid_period', message: 'from must not be after to', field: 'from'}});

    const {wrapper, update} = renderPanel();
    await update();

    expect(wrapper).toContainComponent(Banner, {type: 'critical', title: "The period's figures could not be loaded"});
  });

  it('counts the days of a period in UTC, today included', () => {
    expect(lastDays(7, new Date('2026-11-30T23:30:00Z'))).toEqual({from: '2026-11-24', to: '2026-11-30'});
  });
});
