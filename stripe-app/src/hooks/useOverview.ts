import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {useCallback} from 'react';

import {getOverview} from '../api/recoup';
import type {Overview} from '../api/types';
import {useCaller} from './useCaller';
import {useResource, type ResourceHandle} from './useResource';

/** Load the account's recovery totals for the Dashboard home. */
export function useOverview(context: ExtensionContextValue): Omit<ResourceHandle<Overview>, 'replace'> {
  const caller = useCaller(context);
  const load = useCallback(() => getOverview(caller), [caller]);
  const {state, reload} = useResource(load);
  return {state, reload};
}
