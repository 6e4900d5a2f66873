import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {Box, Inline, Select} from '@stripe/ui-extension-sdk/ui';
import {useState} from 'react';

import {AnalyticsFigures} from './AnalyticsFigures';
import {ErrorState} from './ErrorState';
import {LoadingState} from './LoadingState';
import {useAnalytics} from '../hooks/useAnalytics';

export const PERIODS = [7, 30, 90, 365] as const;

/** The ISO days of the last `days` days, today (UTC) included. */
export function lastDays(days: number, today: Date = new Date()): {from: string; to: string} {
  const end = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const start = new Date(end.getTime() - (days - 1) * 86_400_000);
  return {from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10)};
}

/** Home's analytics over a period the merchant picks (last 30 days at first). */
export function PeriodAnalytics({context}: {context: ExtensionContextValue}) {
  const [days, setDays] = useState<number>(30);
  const [period] = useState(() => new Date());
  const {state, reload} = useAnalytics(context, lastDays(days, period));
  const locale = context.userContext.locale;
  return (
    <Box css={{stack: 'y', gap: 'medium'}}>
      <Box css={{stack: 'x', gap: 'medium', distribute: 'space-between', alignY: 'center'}}>
        <Inline css={{font: 'subheading'}}>{`Last ${days} days`}</Inline>
        <Select name="period" label="Period" hiddenElements={['label']} value={String(days)}
          onChange={(event) => setDays(Number(event.target.value))}>
          {PERIODS.map((value) => <option key={value} value={String(value)}>{`Last ${value} days`}</option>)}
        </Select>
      </Box>
      {state.status === 'loading' ? <LoadingState label="Loading the period's figures…" /> : null}
      {state.status === 'error' ? (
        <ErrorState title="The period's figures could not be loaded" error={state.error} onRetry={reload} />
      ) : null}
      {state.status === 'ready' ? <AnalyticsFigures analytics={state.data} locale={locale} /> : null}
    </Box>
  );
}
