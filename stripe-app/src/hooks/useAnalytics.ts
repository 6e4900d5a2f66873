import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {useCallback} from 'react';

import {getAnalytics, type Period} from '../api/recoup';
import type {Analytics} from '../api/types';
import {useCaller} from './useCaller';
import {useResource, type ResourceHandle} from './useResource';

/** Load the account's figures over a period for the Dashboard home. */
export function useAnalytics(context: ExtensionContextValue, period: Period): Omit<ResourceHandle<Analytics>, 'replace'> {
  const caller = useCaller(context);
  const {from, to} = period;
  const load = useCallback(() => getAnalytics(caller, {from, to}), [caller, from, to]);
  const {state, reload} = useResource(load);
  return {state, reload};
}
