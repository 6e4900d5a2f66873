import {Box, Button, Inline, TextField} from '@stripe/ui-extension-sdk/ui';
import {useCallback, useEffect, useState} from 'react';

import type {Caller} from '../api/client';
import {getTakeover, startTakeover} from '../api/recoup';
import type {ApiError, Takeover} from '../api/types';
import {ErrorState} from './ErrorState';
import {LoadingState} from './LoadingState';

type Props = {
  caller: Caller;
  /** How often progress is read while a takeover runs. */
  pollMs?: number;
};

type State =
  | {status: 'loading'}
  | {status: 'error'; error: ApiError}
  | {status: 'ready'; takeover: Takeover | null; starting: boolean; startError: ApiError | null};

const DEFAULT_LOOK_BACK = '60';

const SKIP_REASONS: Record<string, string> = {
  never_attempted: 'never charged yet',
  managed_by_recoup: 'already in recovery with Recoup',
  tagged_by_recoup: 'marked by Recoup in another mode or install',
  collection_paused: 'automatic collection turned off',
  subscription_stopped: 'subscription cancelled or paused',
  not_open: 'no longer open',
  not_recovered: 'outside your recovery rules',
};

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function progressSummary(takeover: Takeover): string {
  const skipped = Object.values(takeover.skipped).reduce((sum, count) => sum + count, 0);
  return `${plural(takeover.scanned, 'open invoice', 'open invoices')} checked: ${takeover.enrolled} put into recovery, ${skipped} left alone.`;
}

export function skippedLines(takeover: Takeover): string[] {
  return Object.entries(takeover.skipped)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${SKIP_REASONS[reason] ?? reason.replace(/_/g, ' ')}`);
}

function headline(takeover: Takeover): string {
  const day = (iso: string) => new Date(iso).toLocaleDateString();
  switch (takeover.status) {
    case 'running':
      return `Taking over failed invoices created since ${day(takeover.since)}…`;
    case 'done':
      return `The last takeover finished on ${day(takeover.finished_at ?? takeover.started_at)}.`;
    default:
      return `The last takeover stopped before the end: ${takeover.error ?? 'unknown error'}`;
  }
}

/** Settings: scan the account's open invoices that already failed and put the ones nobody manages into recovery. */
export function TakeoverSection({caller, pollMs = 3000}: Props) {
  const [state, setState] = useState<State>({status: 'loading'});
  const [lookBack, setLookBack] = useState(DEFAULT_LOOK_BACK);

  const load = useCallback(async () => {
    const result = await getTakeover(caller);
    setState((previous) => {
      if (!result.ok) {
        return previous.status === 'ready' ? previous : {status: 'error', error: result.error};
      }
      const kept = previous.status === 'ready' ? previous : {starting: false, startError: null};
      return {status: 'ready', takeover: result.data.takeover, starting: kept.starting, startError: kept.startError};
    });
  }, [caller]);

  useEffect(() => {
    void load();
  }, [load]);

  const running = state.status === 'ready' && state.takeover?.status === 'running';
  useEffect(() => {
    if (!running) {
      return undefined;
    }
    const timer = setTimeout(() => void load(), pollMs);
    return () => clearTimeout(timer);
  }, [running, state, load, pollMs]);

  if (state.status === 'loading') {
    return <LoadingState label="Checking for an earlier takeover…" />;
  }
  if (state.status === 'error') {
    return <ErrorState title="The takeover status could not be loaded" error={state.error} onRetry={() => void load()} />;
  }

  const start = async () => {
    setState({...state, starting: true, startError: null});
    const days = lookBack.trim() === '' ? undefined : Number(lookBack);
    const result = await startTakeover(caller, days);
    setState(result.ok
      ? {status: 'ready', takeover: result.data.takeover, starting: false, startError: null}
      : {...state, starting: false, startError: result.error});
  };
  const {takeover, starting, startError} = state;
  const lookBackError = startError?.field === 'look_back_days' ? startError.message : undefined;

  return (
    <Box css={{stack: 'y', gap: 'small'}}>
      <Inline css={{font: 'subheading'}}>Take over existing failed invoices</Inline>
      <Inline css={{color: 'secondary'}}>
        Check your open, automatically charged invoices whose payment already failed, oldest first, and put the ones no one
        manages yet into recovery with your rules. Invoices of cancelled or paused subscriptions are left alone.
      </Inline>
      {takeover ? (
        <Box css={{stack: 'y', gap: 'xsmall'}}>
          <Inline css={{fontWeight: 'semibold'}}>{headline(takeover)}</Inline>
          <Inline>{progressSummary(takeover)}</Inline>
          {skippedLines(takeover).map((line) => (
            <Inline key={line} css={{color: 'secondary'}}>{`Left alone: ${line}`}</Inline>
          ))}
        </Box>
      ) : null}
      {running ? null : (
        <>
          <TextField
            name="takeover_look_back_days"
            label="Look back (days)"
            type="number"
            value={lookBack}
            description="Only invoices created in this many days before now are checked (1 to 365)."
            error={lookBackError}
            invalid={lookBackError !== undefined}
            onChange={(event) => setLookBack(event.target.value)}
          />
          {startError && lookBackError === undefined ? (
            <Inline css={{color: 'critical'}}>{startError.message}</Inline>
          ) : null}
          <Box>
            <Button type="secondary" disabled={starting} onPress={() => void start()}>
              {starting ? 'Starting…' : takeover ? 'Take over again' : 'Take over existing failed invoices'}
            </Button>
          </Box>
        </>
      )}
    </Box>
  );
}
