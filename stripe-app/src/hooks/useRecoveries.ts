import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {useCallback} from 'react';

import {listRecoveries, type RecoveryQuery} from '../api/recoup';
import type {RecoveryList} from '../api/types';
import {useCaller} from './useCaller';
import {useResource, type ResourceHandle} from './useResource';

/** Load one page of recoveries matching `query`; a new query or page loads again. */
export function useRecoveries(
  context: ExtensionContextValue,
  query: RecoveryQuery | null,
): Omit<ResourceHandle<RecoveryList>, 'replace'> {
  const caller = useCaller(context);
  const {status, customer, subscription, page} = query ?? {};
  const missing = query === null;
  const load = useCallback(
    () => (missing
      ? Promise.resolve({ok: false as const, status: null, error: {code: 'no_object', message: 'Open a customer or subscription to see its recoveries.'}})
      : listRecoveries(caller, {status, customer, subscription, page})),
    [caller, missing, status, customer, subscription, page],
  );
  const {state, reload} = useResource(load);
  return {state, reload};
}
