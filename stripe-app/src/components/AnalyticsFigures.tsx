import {Box, Inline, PropertyList, PropertyListItem} from '@stripe/ui-extension-sdk/ui';

import type {Analytics, CurrencyAnalytics} from '../api/types';
import {formatMoney} from '../format/money';
import {safeLocale} from '../format/locale';

function percent(rate: number | null, locale?: string, none = '—'): string {
  if (rate === null) {
    return none;
  }
  return new Intl.NumberFormat(safeLocale(locale), {style: 'percent', maximumFractionDigits: 0}).format(rate);
}

function moneyList(items: CurrencyAnalytics[], pick: (item: CurrencyAnalytics) => number, locale?: string): string {
  const shown = items.filter((item) => pick(item) !== 0);
  return shown.length === 0 ? 'None' : shown.map((item) => formatMoney(pick(item), item.currency, locale)).join(' · ');
}

/** "2.5 days", or a dash before Recoup has recovered anything in the period. */
export function formatMedianDays(days: number | null): string {
  if (days === null) {
    return '—';
  }
  return days === 1 ? '1 day' : `${days} days`;
}

/** The success fee a paid service would have billed, and what of it the refunds and lost disputes gave back. */
export function feeLine(item: CurrencyAnalytics, locale?: string): string {
  const fee = item.success_fee;
  const base = `${formatMoney(fee.net, item.currency, locale)} on ${formatMoney(item.net_recovered, item.currency, locale)} net recovered`;
  return fee.refunded > 0 ? `${base} (${formatMoney(fee.refunded, item.currency, locale)} of the fee refunded)` : base;
}

function Heading({children}: {children: string}) {
  return <Inline css={{font: 'subheading'}}>{children}</Inline>;
}

/** The period's figures: money per currency, rates, causes, speed, what is due, messages, fees and disputes. */
export function AnalyticsFigures({analytics, locale}: {analytics: Analytics; locale?: string}) {
  const items = analytics.currencies;
  const causes = analytics.causes;
  const disputes = analytics.disputes;
  const due = analytics.due_next_24h;
  return (
    <Box css={{stack: 'y', gap: 'medium'}}>
      <PropertyList>
        <PropertyListItem label="Recovered by Recoup" value={moneyList(items, (item) => item.recovered, locale)} />
        <PropertyListItem label="Net after refunds and disputes" value={moneyList(items, (item) => item.net_recovered, locale)} />
        <PropertyListItem label="New failed payments" value={moneyList(items, (item) => item.failed, locale)} />
        <PropertyListItem
          label="Recovery rate"
          value={`${percent(analytics.rate_by_count, locale, 'No recoveries finished')} of recoveries · `
            + items.map((item) => `${percent(item.rate_by_amount, locale)} of ${item.currency.toUpperCase()}`).join(' · ')}
        />
        <PropertyListItem
          label="Still being recovered (not in the rate)"
          value={`${analytics.in_flight_count} · ${moneyList(items, (item) => item.in_flight, locale)}`}
        />
        <PropertyListItem label="Median time to recover" value={formatMedianDays(analytics.median_days_to_recover)} />
        <PropertyListItem
          label="Due in the next 24 hours"
          value={due.length === 0 ? 'Nothing' : due.map((d) => `${d.count} · ${formatMoney(d.amount, d.currency, locale)}`).join(' · ')}
        />
        <PropertyListItem
          label="Messages"
          value={analytics.messages_sent === 0 ? 'None sent in this period'
            : `${analytics.messages_sent} sent · ${percent(analytics.open_rate, locale)} opened · ${percent(analytics.click_rate, locale)} clicked`}
        />
      </PropertyList>
      <Box css={{stack: 'y', gap: 'small'}}>
        <Heading>Who caused the payments</Heading>
        {causes.paid === 0 ? (
          <Inline css={{color: 'secondary'}}>No invoice was paid in this period.</Inline>
        ) : (
          <PropertyList>
            <PropertyListItem label="Recoup's retry" value={percent(causes.retry, locale)} />
            <PropertyListItem label="Card update after Recoup asked" value={percent(causes.card_update, locale)} />
            <PropertyListItem label="Customer paid unprompted (not counted)" value={percent(causes.customer, locale)} />
            <PropertyListItem label="Other routes (not counted)" value={percent(causes.other, locale)} />
          </PropertyList>
        )}
      </Box>
      <Box css={{stack: 'y', gap: 'small'}}>
        <Heading>{`Compared with a ${analytics.success_fee_percent}% success fee`}</Heading>
        {items.filter((item) => item.recovered > 0).length === 0 ? (
          <Inline css={{color: 'secondary'}}>Nothing recovered in this period, so no fee either.</Inline>
        ) : (
          <PropertyList>
            {items.filter((item) => item.recovered > 0).map((item) => (
              <PropertyListItem key={item.currency} label={`Fee you would have paid (${item.currency.toUpperCase()})`}
                value={feeLine(item, locale)} />
            ))}
          </PropertyList>
        )}
      </Box>
      <Box css={{stack: 'y', gap: 'small'}}>
        <Heading>Refunds and disputes of recovered payments</Heading>
        <PropertyList>
          <PropertyListItem label="Refunded" value={moneyList(items, (item) => item.refunded, locale)} />
          <PropertyListItem label="Lost to disputes" value={moneyList(items, (item) => item.dispute_lost, locale)} />
          <PropertyListItem label="Disputes" value={`${disputes.open} open · ${disputes.won} won · ${disputes.lost} lost`} />
        </PropertyList>
      </Box>
    </Box>
  );
}
