import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {useCallback, useState} from 'react';

import {getSettings, saveSettings} from '../api/recoup';
import type {ApiError, ApiResult, Settings, SettingsResponse} from '../api/types';
import {useCaller} from './useCaller';
import {useResource, type Resource} from './useResource';

export type SaveState =
  | {status: 'idle'}
  | {status: 'saving'}
  | {status: 'saved'}
  | {status: 'failed'; error: ApiError};

export type SettingsHandle = {
  state: Resource<SettingsResponse>;
  reload: () => void;
  saveState: SaveState;
  save: (changes: Partial<Settings>) => Promise<ApiResult<SettingsResponse>>;
};

/** Load the account's settings and save changes to them. */
export function useSettings(context: ExtensionContextValue): SettingsHandle {
  const caller = useCaller(context);
  const load = useCallback(() => getSettings(caller), [caller]);
  const {state, reload, replace} = useResource(load);
  const [saveState, setSaveState] = useState<SaveState>({status: 'idle'});

  const save = useCallback(
    async (changes: Partial<Settings>) => {
      setSaveState({status: 'saving'});
      const result = await saveSettings(caller, changes);
      if (result.ok) {
        replace(result.data);
        setSaveState({status: 'saved'});
      } else {
        setSaveState({status: 'failed', error: result.error});
      }
      return result;
    },
    [caller, replace],
  );

  return {state, reload, saveState, save};
}
