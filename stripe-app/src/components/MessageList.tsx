import {Box, Inline, List, ListItem} from '@stripe/ui-extension-sdk/ui';

import type {CustomerMessage} from '../api/types';
import {formatDateTime} from '../format/dates';

type Props = {messages: CustomerMessage[]; unsubscribed: boolean; locale?: string};

const STEP_LABELS: Record<CustomerMessage['step'], string> = {
  notice: 'Payment failed notice',
  reminder: 'Reminder',
  access_warning: 'Access warning',
  suspension_warning: 'Suspension warning',
  last_chance: 'Last chance',
  final_notice: 'Final notice',
  card_update: 'Update your card',
  confirm_payment: 'Confirm your payment',
};

export function messageTitle(message: CustomerMessage): string {
  const channel = message.channel === 'sms' ? 'Text' : 'Email';
  return `${channel}: ${STEP_LABELS[message.step]}`;
}

/** What happened to the message, most telling first: clicked, opened, sent, or why not. */
export function messageProgress(message: CustomerMessage, locale?: string): string {
  switch (message.status) {
    case 'planned':
      return `Planned for ${formatDateTime(message.send_at, locale)}`;
    case 'failed':
      return `Failed: ${message.error ?? 'delivery failed'}`;
    case 'skipped':
      return `Not sent: ${message.error ?? 'no longer needed'}`;
    case 'cancelled':
      return 'Cancelled: the recovery ended';
    case 'sent': {
      const parts = [`Sent ${formatDateTime(message.sent_at ?? message.send_at, locale)}`];
      if (message.opened_at) {
        parts.push(`opened ${formatDateTime(message.opened_at, locale)}`);
      }
      if (message.clicked_at) {
        parts.push(`link clicked ${formatDateTime(message.clicked_at, locale)}`);
      }
      return parts.join(' · ');
    }
  }
}

/** Every e-mail and text to the invoice's customer, with what became of it. */
export function MessageList({messages, unsubscribed, locale}: Props) {
  return (
    <Box css={{stack: 'y', gap: 'small'}}>
      <Inline css={{font: 'subheading'}}>Messages to the customer</Inline>
      {unsubscribed ? (
        <Inline css={{color: 'attention'}}>The customer unsubscribed from payment reminders.</Inline>
      ) : null}
      {messages.length === 0 ? (
        <Inline css={{color: 'secondary'}}>No messages planned or sent yet.</Inline>
      ) : (
        <List>
          {messages.map((message) => (
            <ListItem
              key={message.id}
              id={message.id}
              title={messageTitle(message)}
              secondaryTitle={messageProgress(message, locale)}
              value={message.to ?? undefined}
            />
          ))}
        </List>
      )}
    </Box>
  );
}
