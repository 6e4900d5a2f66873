import {Badge, Box, Inline, List, ListItem, PropertyList, PropertyListItem} from '@stripe/ui-extension-sdk/ui';

import type {Attempt, Recovery} from '../api/types';
import {formatDateTime} from '../format/dates';
import {cardLabel, humanize, outcomeLabel, RECOVERED_BY, STATUS_BADGES, strategyLabel, triggerLabel} from '../format/labels';
import {formatMoney} from '../format/money';
import {MessageList} from './MessageList';

type Props = {recovery: Recovery; locale?: string};

function whyItFailed(recovery: Recovery): string {
  const {decline} = recovery;
  if (decline === null) {
    return 'No decline recorded';
  }
  return decline.code ? `${decline.explanation} (${decline.code})` : decline.explanation;
}

function nextRetry(recovery: Recovery, locale?: string): string {
  if (recovery.next_attempt_at === null) {
    return recovery.status === 'awaiting_customer' ? 'Waiting for the customer to update their card' : 'None scheduled';
  }
  const when = formatDateTime(recovery.next_attempt_at, locale);
  return recovery.next_attempt_reason ? `${when}: ${recovery.next_attempt_reason}` : when;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** "Retry 2 of 6 · day 5 of 28": how far the recovery has come through its budgets. */
export function progressLabel(recovery: Recovery, now: number): string {
  const retries = recovery.max_retries === null
    ? `${recovery.retries_made} ${recovery.retries_made === 1 ? 'retry' : 'retries'} made`
    : `Retry ${recovery.retries_made} of ${recovery.max_retries}`;
  const start = Date.parse(recovery.started_at);
  const end = Date.parse(recovery.deadline);
  const totalDays = Math.max(1, Math.round((end - start) / DAY_MS));
  const until = recovery.status === 'recovered' || recovery.status === 'exhausted' || recovery.status === 'closed'
    ? Math.min(end, now)
    : now;
  const day = Math.min(totalDays, Math.max(1, Math.floor((until - start) / DAY_MS) + 1));
  return `${retries} · day ${day} of ${totalDays} of the dunning window`;
}

function attemptSummary(attempt: Attempt): string {
  // The opening failure's decline is already told once above, as "Why it failed".
  if (attempt.number === 0) {
    return triggerLabel('stripe');
  }
  const parts = [outcomeLabel(attempt.outcome)];
  if (attempt.decline_code) {
    parts.push(humanize(attempt.decline_code));
  }
  parts.push(triggerLabel(attempt.trigger));
  return parts.join(' · ');
}

function Heading({children}: {children: string}) {
  return <Inline css={{font: 'subheading'}}>{children}</Inline>;
}

/** The story of one invoice's recovery: why it failed, what happens next, and what happened so far. */
export function RecoveryDetails({recovery, locale}: Props) {
  const badge = STATUS_BADGES[recovery.status];
  return (
    <Box css={{stack: 'y', gap: 'large'}}>
      <Box css={{stack: 'x', gap: 'small', alignY: 'center'}}>
        <Badge type={badge.type}>{badge.label}</Badge>
        <Inline css={{font: 'bodyEmphasized'}}>{formatMoney(recovery.amount, recovery.currency, locale)}</Inline>
      </Box>
      <PropertyList>
        <PropertyListItem label="Why it failed" value={whyItFailed(recovery)} />
        <PropertyListItem label="Progress" value={progressLabel(recovery, Date.now())} />
        <PropertyListItem label="Strategy" value={strategyLabel(recovery.strategy)} />
        <PropertyListItem label="Next retry" value={nextRetry(recovery, locale)} />
        {recovery.deadline ? (
          <PropertyListItem label="Recovery ends" value={formatDateTime(recovery.deadline, locale)} />
        ) : null}
        {recovery.difficulty !== null ? (
          <PropertyListItem label="Difficulty" value={`${recovery.difficulty} out of 100`} />
        ) : null}
        {recovery.outcome ? (
          <PropertyListItem
            label="Outcome"
            value={recovery.recovered_by
              ? `${outcomeLabel(recovery.outcome)} by ${RECOVERED_BY[recovery.recovered_by]}`
              : outcomeLabel(recovery.outcome)}
          />
        ) : null}
        {recovery.outcome_detail ? (
          <PropertyListItem label="At the end of dunning" value={recovery.outcome_detail} />
        ) : null}
      </PropertyList>
      <Box css={{stack: 'y', gap: 'small'}}>
        <Heading>Payment attempts</Heading>
        {recovery.attempts.length === 0 ? (
          <Inline css={{color: 'secondary'}}>No payment attempts yet.</Inline>
        ) : (
          <List>
            {recovery.attempts.map((attempt, index) => (
              <ListItem
                key={`${attempt.number}-${index}`}
                id={`attempt-${attempt.number}`}
                title={attempt.number === 0 ? `Failed payment · ${cardLabel(attempt.card)}` : `Retry ${attempt.number} · ${cardLabel(attempt.card)}`}
                secondaryTitle={attemptSummary(attempt)}
                value={formatDateTime(attempt.at, locale)}
              />
            ))}
          </List>
        )}
      </Box>
      <MessageList messages={recovery.messages} unsubscribed={recovery.customer_unsubscribed} locale={locale} />
    </Box>
  );
}
