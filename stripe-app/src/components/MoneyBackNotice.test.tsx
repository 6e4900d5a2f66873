import {Banner} from '@stripe/ui-extension-sdk/ui';

import {formatMoney} from '../format/money';
import {renderView, unmountAll} from '../testing/views';
import {MoneyBackNotice} from './MoneyBackNotice';

afterEach(unmountAll);

describe('MoneyBackNotice', () => {
  it('says nothing about a payment nobody took back', async () => {
    const moneyBack = {refunded_amount: 0, dispute_status: null, disputed_amount: 0, net_amount: 2500};

    const {wrapper, update} = renderView(<MoneyBackNotice moneyBack={moneyBack} currency="usd" />);
    await update();

    expect(wrapper).not.toContainComponent(Banner);
  });

  it('flags a lost dispute and what is left of the recovered payment', async () => {
    const moneyBack = {refunded_amount: 0, dispute_status: 'lost' as const, disputed_amount: 2500, net_amount: 0};

    const {wrapper, update} = renderView(<MoneyBackNotice moneyBack={moneyBack} currency="usd" />);
    await update();

    expect(wrapper).toContainComponent(Banner, {
      type: 'critical',
      description: `The payment was disputed and lost: ${formatMoney(2500, 'usd')} went back to the cardholder.`
        + ` Net recovered: ${formatMoney(0, 'usd')}.`,
    });
  });

  it('shows a refund as a caution with the net amount', async () => {
    const moneyBack = {refunded_amount: 1000, dispute_status: null, disputed_amount: 0, net_amount: 1500};

    const {wrapper, update} = renderView(<MoneyBackNotice moneyBack={moneyBack} currency="usd" />);
    await update();

    expect(wrapper).toContainComponent(Banner, {
      type: 'caution',
      description: `${formatMoney(1000, 'usd')} was refunded. Net recovered: ${formatMoney(1500, 'usd')}.`,
    });
  });
});
