import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {useCallback, useState} from 'react';

import {getRecovery, runRecoveryAction} from '../api/recoup';
import type {
  ApiError,
  ApiResult,
  RecoveryAction,
  RecoveryActionResponse,
  RecoveryResponse,
} from '../api/types';
import {useCaller} from './useCaller';
import {useResource, type Resource} from './useResource';

const NO_INVOICE: ApiError = {
  code: 'no_invoice',
  message: 'Open an invoice to see its recovery.',
};

export type RecoveryHandle = {
  state: Resource<RecoveryResponse>;
  reload: () => void;
  /** The action being sent, if any; its button shows as pending. */
  pendingAction: RecoveryAction | null;
  actionError: ApiError | null;
  act: (action: RecoveryAction) => Promise<ApiResult<RecoveryActionResponse>>;
};

/** Load an invoice's recovery and run the actions its state allows. */
export function useRecovery(context: ExtensionContextValue, invoiceId: string | null): RecoveryHandle {
  const caller = useCaller(context);
  const load = useCallback(
    async (): Promise<ApiResult<RecoveryResponse>> =>
      invoiceId === null ? {ok: false, status: null, error: NO_INVOICE} : getRecovery(caller, invoiceId),
    [caller, invoiceId],
  );
  const {state, reload, replace} = useResource(load);
  const [pendingAction, setPendingAction] = useState<RecoveryAction | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);

  const act = useCallback(
    async (action: RecoveryAction): Promise<ApiResult<RecoveryActionResponse>> => {
      if (invoiceId === null) {
        return {ok: false, status: null, error: NO_INVOICE};
      }
      setPendingAction(action);
      setActionError(null);
      const result = await runRecoveryAction(caller, invoiceId, action);
      setPendingAction(null);
      if (result.ok) {
        replace({recovery: result.data.recovery});
      } else {
        setActionError(result.error);
        if (result.status === 409) {
          // The recovery moved on since it was shown (a retry ran, the invoice was paid): show its
          // current state and the actions that state allows.
          reload();
        }
      }
      return result;
    },
    [caller, invoiceId, reload, replace],
  );

  return {state, reload, pendingAction, actionError, act};
}
