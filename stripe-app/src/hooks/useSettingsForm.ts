import {useCallback, useState} from 'react';

import type {ApiResult, Settings, SettingsResponse} from '../api/types';
import {
  changedSettings,
  checkDraft,
  isSettingsField,
  toDraft,
  type Draft,
  type FieldErrors,
} from '../settings/form';

export type SettingsForm = {
  /** Null until the stored settings have arrived. */
  draft: Draft | null;
  errors: FieldErrors;
  setField: <K extends keyof Draft>(field: K, value: Draft[K]) => void;
  /** Check the draft, then send the fields that changed; errors land next to their fields. */
  submit: () => Promise<void>;
};

type Save = (changes: Partial<Settings>) => Promise<ApiResult<SettingsResponse>>;

/** Hold the merchant's unsaved edits to the stored settings. */
export function useSettingsForm(stored: Settings | null, save: Save): SettingsForm {
  const [base, setBase] = useState<Settings | null>(stored);
  const [draft, setDraft] = useState<Draft | null>(stored ? toDraft(stored) : null);
  const [errors, setErrors] = useState<FieldErrors>({});

  // A load or a successful save brings new stored values (normalised by the backend): start the
  // draft again from them. Adjusting state while rendering avoids a frame showing the old draft.
  if (stored !== base) {
    setBase(stored);
    setDraft(stored ? toDraft(stored) : null);
  }

  const setField = useCallback(<K extends keyof Draft>(field: K, value: Draft[K]) => {
    setDraft((current) => (current ? {...current, [field]: value} : current));
    setErrors((current) => {
      if (!(field in current)) {
        return current;
      }
      const rest = {...current};
      delete rest[field];
      return rest;
    });
  }, []);

  const submit = useCallback(async () => {
    if (!draft || !stored) {
      return;
    }
    const checked = checkDraft(draft);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    const result = await save(changedSettings(stored, checked.settings));
    if (!result.ok && result.error.field && isSettingsField(result.error.field)) {
      setErrors({[result.error.field]: result.error.message});
    }
  }, [draft, stored, save]);

  return {draft, errors, setField, submit};
}
