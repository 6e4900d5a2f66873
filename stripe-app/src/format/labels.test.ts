import {triggerLabel} from './labels';

describe('triggerLabel', () => {
  it('tells a card the networks refreshed apart from one the customer added', () => {
    expect(triggerLabel('card_updater')).toBe('After the card networks refreshed the card');
    expect(triggerLabel('card_update')).toBe('After a card update');
  });
});
