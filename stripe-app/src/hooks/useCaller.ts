import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {useMemo} from 'react';

import type {Caller} from '../api/client';

/** Keep one Caller per set of context props, so effects that depend on it run only when it changes. */
export function useCaller({userContext, environment}: ExtensionContextValue): Caller {
  return useMemo(() => ({userContext, environment}), [userContext, environment]);
}
