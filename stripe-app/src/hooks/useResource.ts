import {useCallback, useEffect, useState} from 'react';

import type {ApiError, ApiResult} from '../api/types';

export type Resource<T> =
  | {status: 'loading'}
  | {status: 'error'; error: ApiError}
  | {status: 'ready'; data: T};

export type ResourceHandle<T> = {
  state: Resource<T>;
  /** Fetch again; data already shown stays on screen until the answer arrives. */
  reload: () => void;
  /** Replace the data with a fresher copy, e.g. the answer to a save. */
  replace: (data: T) => void;
};

/** Load one API resource and track its loading, error and ready states. */
export function useResource<T>(load: () => Promise<ApiResult<T>>): ResourceHandle<T> {
  const [state, setState] = useState<Resource<T>>({status: 'loading'});
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    setState((previous) => (previous.status === 'ready' ? previous : {status: 'loading'}));
    load().then((result) => {
      // An answer for an earlier invoice or caller must not overwrite the current one.
      if (current) {
        setState(result.ok ? {status: 'ready', data: result.data} : {status: 'error', error: result.error});
      }
    });
    return () => {
      current = false;
    };
  }, [load, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const replace = useCallback((data: T) => setState({status: 'ready', data}), []);

  return {state, reload, replace};
}
