import {PropertyListItem} from '@stripe/ui-extension-sdk/ui';

import {formatMoney} from '../format/money';
import {anAnalytics} from '../testing/fixtures';
import {renderView, unmountAll} from '../testing/views';
import {AnalyticsFigures, formatMedianDays} from './AnalyticsFigures';

afterEach(unmountAll);

const euros = (amount: number) => formatMoney(amount, 'eur');

describe('AnalyticsFigures', () => {
  it('shows recovered and net money, the rate over ended recoveries and what is still in flight', async () => {
    const {wrapper, update} = renderView(<AnalyticsFigures analytics={anAnalytics()} />);
    await update();

    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovered by Recoup', value: euros(10000)});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Net after refunds and disputes', value: euros(6500)});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovery rate', value: '67% of recoveries · 67% of EUR'});
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Still being recovered (not in the rate)', value: `3 · ${euros(4000)}`,
    });
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Median time to recover', value: '2.5 days'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Due in the next 24 hours', value: `2 · ${euros(3000)}`});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Messages', value: '10 sent · 50% opened · 20% clicked'});
  });

  it('splits the paid invoices by who caused the payment', async () => {
    const {wrapper, update} = renderView(<AnalyticsFigures analytics={anAnalytics()} />);
    await update();

    expect(wrapper).toContainComponent(PropertyListItem, {label: "Recoup's retry", value: '60%'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Card update after Recoup asked', value: '20%'});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Customer paid unprompted (not counted)', value: '20%'});
  });

  it('compares with a success fee and shows the part refunded after disputes and refunds', async () => {
    const {wrapper, update} = renderView(<AnalyticsFigures analytics={anAnalytics()} />);
    await update();

    expect(wrapper).toContainText('Compared with a 20% success fee');
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Fee you would have paid (EUR)',
      value: `${euros(1300)} on ${euros(6500)} net recovered (${euros(700)} of the fee refunded)`,
    });
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Lost to disputes', value: euros(2500)});
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Disputes', value: '1 open · 0 won · 1 lost'});
  });

  it('claims nothing for a quiet period', async () => {
    const quiet = anAnalytics({
      currencies: [], recovered_count: 0, exhausted_count: 0, in_flight_count: 0, rate_by_count: null,
      causes: {paid: 0, retry: null, card_update: null, customer: null, other: null}, median_days_to_recover: null,
      due_next_24h: [], messages_sent: 0, open_rate: null, click_rate: null, disputes: {open: 0, won: 0, lost: 0},
    });

    const {wrapper, update} = renderView(<AnalyticsFigures analytics={quiet} />);
    await update();

    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Recovered by Recoup', value: 'None'});
    expect(wrapper).toContainText('No invoice was paid in this period.');
    expect(wrapper).toContainText('Nothing recovered in this period, so no fee either.');
    expect(wrapper).toContainComponent(PropertyListItem, {label: 'Messages', value: 'None sent in this period'});
    expect(formatMedianDays(null)).toBe('—');
  });
});
