import {ListItem} from '@stripe/ui-extension-sdk/ui';

import type {CustomerMessage} from '../api/types';
import {formatDateTime} from '../format/dates';
import {renderView, unmountAll} from '../testing/views';
import {MessageList} from './MessageList';

afterEach(unmountAll);

function aMessage(overrides: Partial<CustomerMessage> = {}): CustomerMessage {
  return {
    id: 'msg_1', channel: 'email', step: 'card_update', status: 'sent', send_at: '2026-11-23T11:00:00Z',
    sent_at: '2026-11-23T11:00:00Z', opened_at: null, clicked_at: null, to: 'ada@example.com', error: null,
    ...overrides,
  };
}

describe('MessageList', () => {
  it('says when no message is planned or sent', async () => {
    const {wrapper, update} = renderView(<MessageList messages={[]} unsubscribed={false} />);
    await update();

    expect(wrapper).toContainText('No messages planned or sent yet.');
  });

  it('shows each message with what became of it', async () => {
    const messages = [
      aMessage({opened_at: '2026-11-23T12:00:00Z', clicked_at: '2026-11-23T12:05:00Z'}),
      aMessage({id: 'msg_2', step: 'reminder', status: 'planned', sent_at: null, send_at: '2026-11-26T08:00:00Z'}),
      aMessage({id: 'msg_3', channel: 'sms', step: 'access_warning', status: 'failed', to: '+4915112345678',
        error: 'Twilio refused the message: 21211 Invalid To'}),
    ];

    const {wrapper, update} = renderView(<MessageList messages={messages} unsubscribed={false} />);
    await update();

    expect(wrapper).toContainComponent(ListItem, {
      title: 'Email: Update your card',
      secondaryTitle: `Sent ${formatDateTime('2026-11-23T11:00:00Z')} · opened ${formatDateTime('2026-11-23T12:00:00Z')}`
        + ` · link clicked ${formatDateTime('2026-11-23T12:05:00Z')}`,
    });
    expect(wrapper).toContainComponent(ListItem, {
      title: 'Email: Reminder', secondaryTitle: `Planned for ${formatDateTime('2026-11-26T08:00:00Z')}`,
    });
    expect(wrapper).toContainComponent(ListItem, {
      title: 'Text: Access warning', secondaryTitle: 'Failed: Twilio refused the message: 21211 Invalid To',
    });
  });

  it('tells the merchant when the customer unsubscribed', async () => {
    const {wrapper, update} = renderView(<MessageList messages={[aMessage()]} unsubscribed />);
    await update();

    expect(wrapper).toContainText('The customer unsubscribed from payment reminders.');
  });
});
