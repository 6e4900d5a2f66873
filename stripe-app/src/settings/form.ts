import type {Settings, SettingsField} from '../api/types';

// The same limits the backend enforces (docs/api.md); checking them here lets the merchant fix a
// value before anything is sent.
export const NUMBER_RANGES = {
  max_retries: [1, 10],
  dunning_days: [7, 60],
  cancel_delay_days: [0, 60],
  cancel_delay_hours: [0, 23],
  success_fee_percent: [0, 50],
} as const;

export type NumberField = keyof typeof NUMBER_RANGES;

export const BRAND_NAME_MAX = 60;

export const SETTINGS_FIELDS: readonly SettingsField[] = [
  'enabled',
  'observe_only',
  'max_retries',
  'dunning_days',
  'recover_one_off_invoices',
  'card_rotation',
  'subscription_action',
  'cancel_delay_days',
  'cancel_delay_hours',
  'prorate_on_cancel',
  'invoice_action',
  'tidy_later_invoices',
  'emails_enabled',
  'brand_name',
  'brand_color',
  'reply_to',
  'persuasive_copy',
  'sms_enabled',
  'daily_overdue_chase',
  'pause_stripe_retries',
  'success_fee_percent',
];

/** Settings as the form holds them: numbers stay text until the merchant saves. */
export type Draft = Omit<Settings, NumberField> & Record<NumberField, string>;

export type FieldErrors = Partial<Record<SettingsField, string>>;

export type CheckedDraft = {ok: true; settings: Settings} | {ok: false; errors: FieldErrors};

const HEX_COLOR = /^#[0-9A-Fa-f]{6}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const WHOLE_NUMBER = /^\d+$/;

export function rangeHint(field: NumberField): string {
  const [low, high] = NUMBER_RANGES[field];
  return `From ${low} to ${high}.`;
}

export function toDraft(settings: Settings): Draft {
  return {
    ...settings,
    max_retries: String(settings.max_retries),
    dunning_days: String(settings.dunning_days),
    cancel_delay_days: String(settings.cancel_delay_days),
    cancel_delay_hours: String(settings.cancel_delay_hours),
    success_fee_percent: String(settings.success_fee_percent),
  };
}

function parseNumber(field: NumberField, text: string): number | string {
  const [low, high] = NUMBER_RANGES[field];
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!WHOLE_NUMBER.test(trimmed) || value < low || value > high) {
    return `Enter a whole number from ${low} to ${high}.`;
  }
  return value;
}

/** Check every field and return either the settings to save or a message per invalid field. */
export function checkDraft(draft: Draft): CheckedDraft {
  const errors: FieldErrors = {};
  const numbers = {} as Record<NumberField, number>;
  for (const field of Object.keys(NUMBER_RANGES) as NumberField[]) {
    const parsed = parseNumber(field, draft[field]);
    if (typeof parsed === 'string') {
      errors[field] = parsed;
    } else {
      numbers[field] = parsed;
    }
  }
  const brandName = draft.brand_name.trim();
  const brandColor = draft.brand_color.trim();
  const replyTo = draft.reply_to.trim();
  if (brandName.length > BRAND_NAME_MAX) {
    errors.brand_name = `Use at most ${BRAND_NAME_MAX} characters.`;
  }
  if (!HEX_COLOR.test(brandColor)) {
    errors.brand_color = 'Enter a color like #635BFF.';
  }
  if (replyTo !== '' && !EMAIL.test(replyTo)) {
    errors.reply_to = 'Enter an email address, or leave this empty.';
  }
  if (Object.keys(errors).length > 0) {
    return {ok: false, errors};
  }
  return {
    ok: true,
    settings: {...draft, ...numbers, brand_name: brandName, brand_color: brandColor, reply_to: replyTo},
  };
}

/** The settings fields whose values differ from what is stored; only these are sent. */
export function changedSettings(stored: Settings, next: Settings): Partial<Settings> {
  const changes: Partial<Record<SettingsField, Settings[SettingsField]>> = {};
  for (const field of SETTINGS_FIELDS) {
    if (next[field] !== stored[field]) {
      changes[field] = next[field];
    }
  }
  return changes as Partial<Settings>;
}

export function isSettingsField(name: string): name is SettingsField {
  return (SETTINGS_FIELDS as readonly string[]).includes(name);
}

/** Whether the settings page currently shows a field (the delay only matters for a delayed cancel). */
export function isFieldShown(draft: Draft, field: SettingsField): boolean {
  if (field === 'cancel_delay_days' || field === 'cancel_delay_hours') {
    return draft.subscription_action === 'cancel_after_delay';
  }
  return true;
}
