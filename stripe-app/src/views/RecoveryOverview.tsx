import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {BarChart, Box, Button, ContextView, FocusView, Inline, Link, List, ListItem, PropertyList, PropertyListItem} from '@stripe/ui-extension-sdk/ui';
import {useState} from 'react';

import type {Mode, Overview} from '../api/types';
import {ErrorState} from '../components/ErrorState';
import {LoadingState} from '../components/LoadingState';
import {PeriodAnalytics} from '../components/PeriodAnalytics';
import {RecoveryList} from '../components/RecoveryList';
import {WarningsBanner} from '../components/WarningsBanner';
import {formatDateTime, formatDay} from '../format/dates';
import {outcomeLabel, RECOVERED_BY} from '../format/labels';
import {invoiceHref} from '../format/links';
import {formatMoney, formatTotals, toMajorUnits} from '../format/money';
import {formatEmailEngagement, formatRate} from '../format/percent';
import {useCustomerLabels} from '../hooks/useCustomerLabels';
import {useOverview} from '../hooks/useOverview';

const TITLE = 'Payment recovery';

function isEmpty(overview: Overview): boolean {
  return overview.recovered.length === 0
    && overview.in_flight.length === 0
    && overview.active_count === 0
    && overview.next_due.length === 0
    && overview.recent_outcomes.length === 0
    && overview.weekly.every((week) => week.recovered === 0 && week.failed === 0);
}

/** The currencies the weekly money covers, in the order the backend sent them. */
function chartCurrencies(overview: Overview): string[] {
  return Array.from(new Set(overview.weekly_money.map((week) => week.currency)));
}

/** One bar per week and series for one currency, in whole units; BarChart groups the long format by `color`. */
export function weeklyMoneyChartData(overview: Overview, currency: string, locale?: string) {
  return overview.weekly_money
    .filter((week) => week.currency === currency)
    .flatMap((week) => {
      const label = formatDay(week.week, locale);
      return [
        {week: label, amount: toMajorUnits(week.recovered, currency), series: 'Recovered'},
        {week: label, amount: toMajorUnits(week.failed, currency), series: 'New failed payments'},
      ];
    });
}

function Heading({children}: {children: string}) {
  return <Inline css={{font: 'subheading'}}>{children}</Inline>;
}

function OverviewDetails({overview, locale, mode}: {overview: Overview; locale?: string; mode: Mode}) {
  const customers = useCustomerLabels(overview.recent_outcomes.map((item) => item.customer_id));
  const customer = (id: string) => customers[id] ?? id;
  return (
    <Box css={{stack: 'y', gap: 'large'}}>
      <PropertyList>
        <PropertyListItem label="Recovered" value={formatTotals(overview.recovered, locale)} />
        <PropertyListItem label="Recovery rate" value={formatRate(overview.recovery_rate, locale)} />
        <PropertyListItem
          label="Paid without Recoup (not counted)"
          value={formatTotals(overview.paid_without_recoup, locale, 'None')}
        />
        <PropertyListItem label="Active recoveries" value={String(overview.active_count)} />
        <PropertyListItem label="Being recovered" value={formatTotals(overview.in_flight, locale, 'Nothing right now')} />
        <PropertyListItem label="Customer e-mails" value={formatEmailEngagement(overview.emails, locale)} />
      </PropertyList>
      {chartCurrencies(overview).map((currency) => (
        <Box key={currency} css={{stack: 'y', gap: 'small'}}>
          <Heading>{`Money recovered and new failed payments by week (${currency.toUpperCase()})`}</Heading>
          <BarChart data={weeklyMoneyChartData(overview, currency, locale)} x="week" y="amount" color="series" legend tooltip />
        </Box>
      ))}
      <Box css={{stack: 'y', gap: 'small'}}>
        <Heading>Next up</Heading>
        {overview.next_due.length === 0 ? (
          <Inline css={{color: 'secondary'}}>Nothing is scheduled.</Inline>
        ) : (
          <List>
            {overview.next_due.map((due) => (
              <ListItem
                key={due.invoice_id}
                id={due.invoice_id}
                title={`${formatMoney(due.amount, due.currency, locale)} · ${due.invoice_id}`}
                secondaryTitle={due.reason}
                value={due.at ? formatDateTime(due.at, locale) : ''}
              />
            ))}
          </List>
        )}
      </Box>
      <Box css={{stack: 'y', gap: 'small'}}>
        <Heading>Recent outcomes</Heading>
        {overview.recent_outcomes.length === 0 ? (
          <Inline css={{color: 'secondary'}}>No recovery has finished yet.</Inline>
        ) : (
          <Box css={{stack: 'y', gap: 'medium'}}>
            {overview.recent_outcomes.map((item) => (
              <Box key={`${item.invoice_id}-${item.at}`} css={{stack: 'x', gap: 'small', distribute: 'space-between'}}>
                <Box css={{stack: 'y', gap: 'xsmall'}}>
                  <Link href={invoiceHref(item.invoice_id, mode)}>
                    {`${outcomeLabel(item.outcome)} · ${formatMoney(item.amount, item.currency, locale)}`}
                  </Link>
                  <Inline css={{color: 'secondary'}}>
                    {item.recovered_by
                      ? `${customer(item.customer_id)} · by ${RECOVERED_BY[item.recovered_by]}`
                      : customer(item.customer_id)}
                  </Inline>
                </Box>
                <Inline css={{color: 'secondary'}}>{item.at ? formatDateTime(item.at, locale) : ''}</Inline>
              </Box>
            ))}
          </Box>
        )}
      </Box>
    </Box>
  );
}

/** The Dashboard home panel: what Recoup has recovered, what it is working on, and what is next. */
const RecoveryOverview = (context: ExtensionContextValue) => {
  const {state, reload} = useOverview(context);
  const locale = context.userContext.locale;
  const [showingAll, setShowingAll] = useState(false);

  if (state.status === 'loading') {
    return (
      <ContextView title={TITLE}>
        <LoadingState label="Loading your recovery numbers…" />
      </ContextView>
    );
  }
  if (state.status === 'error') {
    return (
      <ContextView title={TITLE}>
        <ErrorState title="Your recovery numbers could not be loaded" error={state.error} onRetry={reload} />
      </ContextView>
    );
  }

  const overview = state.data;
  return (
    <ContextView title={TITLE} description="Failed payments Recoup is recovering for you">
      <Box css={{stack: 'y', gap: 'large'}}>
        <WarningsBanner warnings={overview.warnings} />
        {isEmpty(overview) ? (
          <Box css={{stack: 'y', gap: 'small'}}>
            <Inline css={{font: 'heading'}}>No failed payments yet</Inline>
            <Inline css={{color: 'secondary'}}>
              When a subscription payment fails, Recoup starts recovering it and its progress shows up here.
            </Inline>
          </Box>
        ) : (
          <OverviewDetails overview={overview} locale={locale} mode={context.environment.mode} />
        )}
        {isEmpty(overview) ? null : <PeriodAnalytics context={context} />}
        <Box>
          <Button onPress={() => setShowingAll(true)}>View all recoveries</Button>
        </Box>
        <FocusView title="All recoveries" shown={showingAll} setShown={setShowingAll}>
          {showingAll ? (
            <RecoveryList context={context} scope={{}} emptyText="Recoup has not recovered any payment yet." withFilter />
          ) : null}
        </FocusView>
      </Box>
    </ContextView>
  );
};

export default RecoveryOverview;
