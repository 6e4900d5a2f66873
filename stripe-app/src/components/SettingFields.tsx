import {Box, Inline, Select, Switch, TextField} from '@stripe/ui-extension-sdk/ui';
import type {ReactNode} from 'react';

import type {Draft, FieldErrors} from '../settings/form';

type KeysOfType<T, V> = {[K in keyof T]-?: T[K] extends V ? K : never}[keyof T];

export type FormControls = {
  draft: Draft;
  errors: FieldErrors;
  setField: <K extends keyof Draft>(field: K, value: Draft[K]) => void;
};

type FieldProps<K> = {
  form: FormControls;
  field: K;
  label: string;
  description?: string;
  disabled?: boolean;
};

export function Section({title, description, children}: {title: string; description?: string; children: ReactNode}) {
  return (
    <Box css={{stack: 'y', gap: 'medium'}}>
      <Box css={{stack: 'y', gap: 'xxsmall'}}>
        <Inline css={{font: 'heading'}}>{title}</Inline>
        {description ? <Inline css={{color: 'secondary'}}>{description}</Inline> : null}
      </Box>
      {children}
    </Box>
  );
}

export function SettingSwitch({form, field, label, description, disabled}: FieldProps<KeysOfType<Draft, boolean>>) {
  const error = form.errors[field];
  return (
    <Switch
      name={field}
      label={label}
      description={description}
      checked={form.draft[field]}
      disabled={disabled}
      error={error}
      invalid={error !== undefined}
      onChange={(event) => form.setField(field, event.target.checked)}
    />
  );
}

type TextProps = FieldProps<'max_retries' | 'dunning_days' | 'cancel_delay_days' | 'cancel_delay_hours' | 'success_fee_percent' | 'brand_name' | 'brand_color' | 'reply_to'> & {
  type?: 'number' | 'text' | 'email';
  maxLength?: number;
  placeholder?: string;
};

export function SettingText({form, field, label, description, disabled, type = 'text', maxLength, placeholder}: TextProps) {
  const error = form.errors[field];
  return (
    <TextField
      name={field}
      type={type}
      label={label}
      description={description}
      placeholder={placeholder}
      maxLength={maxLength}
      value={form.draft[field]}
      disabled={disabled}
      error={error}
      invalid={error !== undefined}
      onChange={(event) => form.setField(field, event.target.value)}
    />
  );
}

type SelectField = 'subscription_action' | 'invoice_action';

type SelectProps<K extends SelectField> = FieldProps<K> & {
  options: ReadonlyArray<{value: Draft[K]; label: string}>;
};

export function SettingSelect<K extends SelectField>({form, field, label, description, disabled, options}: SelectProps<K>) {
  const error = form.errors[field];
  return (
    <Select
      name={field}
      label={label}
      description={description}
      value={form.draft[field]}
      disabled={disabled}
      error={error}
      invalid={error !== undefined}
      onChange={(event) => {
        const chosen = options.find((option) => option.value === event.target.value);
        if (chosen) {
          form.setField(field, chosen.value);
        }
      }}
    >
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </Select>
  );
}
