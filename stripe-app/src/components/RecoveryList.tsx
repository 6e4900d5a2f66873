import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {Badge, Box, Button, ButtonGroup, Inline, Link, Select} from '@stripe/ui-extension-sdk/ui';
import {useState} from 'react';

import type {RecoveryQuery} from '../api/recoup';
import type {RecoveryStatus, RecoverySummary} from '../api/types';
import {formatDateTime} from '../format/dates';
import {STATUS_BADGES} from '../format/labels';
import {invoiceHref} from '../format/links';
import {formatMoney} from '../format/money';
import {useRecoveries} from '../hooks/useRecoveries';
import {ErrorState} from './ErrorState';
import {LoadingState} from './LoadingState';

type Props = {
  context: ExtensionContextValue;
  /** The fixed part of the query (a customer or subscription), or null when the page has no object. */
  scope: Omit<RecoveryQuery, 'status' | 'page'> | null;
  emptyText: string;
  withFilter?: boolean;
};

const STATUSES = Object.keys(STATUS_BADGES) as RecoveryStatus[];

function when(recovery: RecoverySummary, locale?: string): string {
  if (recovery.closed_at) {
    return `Ended ${formatDateTime(recovery.closed_at, locale)}`;
  }
  if (recovery.next_attempt_at) {
    return `Next retry ${formatDateTime(recovery.next_attempt_at, locale)}`;
  }
  return `Started ${formatDateTime(recovery.started_at, locale)}`;
}

/** A paged list of recoveries with their status, each linking to its invoice. */
export function RecoveryList({context, scope, emptyText, withFilter = false}: Props) {
  // One state for both, so a new filter and the return to page 1 make a single request.
  const [{status, page}, setQuery] = useState<{status?: RecoveryStatus; page: number}>({page: 1});
  const {state, reload} = useRecoveries(context, scope === null ? null : {...scope, status, page});
  const locale = context.userContext.locale;
  const mode = context.environment.mode;

  const filter = withFilter ? (
    <Select
      label="Status"
      value={status ?? ''}
      onChange={(event) => setQuery({status: (event.target.value || undefined) as RecoveryStatus | undefined, page: 1})}
    >
      <option value="">All</option>
      {STATUSES.map((name) => (
        <option key={name} value={name}>{STATUS_BADGES[name].label}</option>
      ))}
    </Select>
  ) : null;

  if (state.status === 'loading') {
    return <LoadingState label="Loading recoveries…" />;
  }
  if (state.status === 'error') {
    return <ErrorState title="Recoveries could not be loaded" error={state.error} onRetry={scope ? reload : undefined} />;
  }
  const {recoveries, has_more: hasMore} = state.data;
  return (
    <Box css={{stack: 'y', gap: 'medium'}}>
      {filter}
      {recoveries.length === 0 ? (
        <Inline css={{color: 'secondary'}}>{status ? `No recoveries are ${STATUS_BADGES[status].label.toLowerCase()}.` : emptyText}</Inline>
      ) : (
        <Box css={{stack: 'y', gap: 'medium'}}>
          {recoveries.map((recovery) => (
            <Box key={recovery.id} css={{stack: 'x', gap: 'small', distribute: 'space-between', alignY: 'center'}}>
              <Box css={{stack: 'y', gap: 'xsmall'}}>
                <Link href={invoiceHref(recovery.invoice_id, mode)}>
                  {`${formatMoney(recovery.amount, recovery.currency, locale)} · ${recovery.invoice_id}`}
                </Link>
                <Inline css={{color: 'secondary'}}>{when(recovery, locale)}</Inline>
              </Box>
              <Badge type={STATUS_BADGES[recovery.status].type}>{STATUS_BADGES[recovery.status].label}</Badge>
            </Box>
          ))}
        </Box>
      )}
      {page > 1 || hasMore ? (
        <ButtonGroup>
          <Button disabled={page === 1} onPress={() => setQuery({status, page: page - 1})}>Previous</Button>
          <Button disabled={!hasMore} onPress={() => setQuery({status, page: page + 1})}>Next</Button>
        </ButtonGroup>
      ) : null}
    </Box>
  );
}
