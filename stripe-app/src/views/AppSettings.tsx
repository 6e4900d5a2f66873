import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {Banner, Box, Divider, SettingsView} from '@stripe/ui-extension-sdk/ui';

import {ErrorState} from '../components/ErrorState';
import {LoadingState} from '../components/LoadingState';
import {AuditExport} from '../components/AuditExport';
import {SmsCredentials} from '../components/SmsCredentials';
import {TakeoverSection} from '../components/TakeoverSection';
import {Section, SettingSelect, SettingSwitch, SettingText, type FormControls} from '../components/SettingFields';
import {WarningsBanner} from '../components/WarningsBanner';
import {useCaller} from '../hooks/useCaller';
import {useSettings, type SaveState} from '../hooks/useSettings';
import {useSettingsForm} from '../hooks/useSettingsForm';
import {BRAND_NAME_MAX, isFieldShown, isSettingsField, rangeHint, type FieldErrors} from '../settings/form';

const SUBSCRIPTION_ACTIONS = [
  {value: 'leave', label: 'Leave the subscription as it is'},
  {value: 'cancel_now', label: 'Cancel it right away'},
  {value: 'cancel_at_period_end', label: 'Cancel it at the end of the billing period'},
  {value: 'cancel_after_delay', label: 'Cancel it after a delay'},
] as const;

const INVOICE_ACTIONS = [
  {value: 'leave', label: 'Leave the invoice open'},
  {value: 'void', label: 'Void the invoice'},
  {value: 'mark_uncollectible', label: 'Mark the invoice as uncollectible'},
] as const;

function statusMessage(saveState: SaveState, errors: FieldErrors): string | undefined {
  if (saveState.status === 'saving') {
    return 'Saving…';
  }
  if (Object.keys(errors).length > 0 || saveState.status === 'failed') {
    return 'Not saved';
  }
  return saveState.status === 'saved' ? 'Saved' : undefined;
}

function SettingsForm({form}: {form: FormControls}) {
  const {draft} = form;
  const cancels = draft.subscription_action !== 'leave';
  const emails = draft.emails_enabled;
  return (
    <Box css={{stack: 'y', gap: 'xlarge'}}>
      <Section title="Recovery" description="Which failed payments Recoup works on.">
        <SettingSwitch form={form} field="enabled" label="Recover failed payments"
          description="Turning this off pauses every scheduled retry and email at once." />
        <SettingSwitch form={form} field="observe_only" label="Observe only"
          description="Plan retries and emails and show them here, without charging cards, changing invoices or emailing customers." />
        <SettingSwitch form={form} field="recover_one_off_invoices" label="Recover one-off invoices"
          description="Also recover invoices that don't belong to a subscription." />
        <SettingSwitch form={form} field="card_rotation" label="Try other saved cards"
          description="After a decline, try the customer's next valid card on file." />
      </Section>
      <Divider />
      <Section title="Retries" description="How often and for how long Recoup tries again.">
        <SettingText form={form} field="max_retries" type="number" label="Maximum retries per invoice"
          description={rangeHint('max_retries')} />
        <SettingText form={form} field="dunning_days" type="number" label="Recovery period in days"
          description={`How long Recoup keeps trying after the first failure. ${rangeHint('dunning_days')}`} />
        <SettingText form={form} field="success_fee_percent" type="number" label="Success fee to compare with (%)"
          description={`What a paid recovery service would charge on money recovered; Home shows that fee beside Recoup. ${rangeHint('success_fee_percent')}`} />
      </Section>
      <Divider />
      <Section title="End of recovery" description="What happens when the retries or the recovery period run out.">
        <SettingSelect form={form} field="subscription_action" label="Subscription" options={SUBSCRIPTION_ACTIONS} />
        {isFieldShown(draft, 'cancel_delay_days') ? (
          <Box css={{stack: 'x', gap: 'medium'}}>
            <SettingText form={form} field="cancel_delay_days" type="number" label="Delay in days"
              description={rangeHint('cancel_delay_days')} />
            <SettingText form={form} field="cancel_delay_hours" type="number" label="And hours"
              description={rangeHint('cancel_delay_hours')} />
          </Box>
        ) : null}
        <SettingSwitch form={form} field="prorate_on_cancel" label="Prorate when cancelling" disabled={!cancels}
          description="Credit the customer for the unused part of the billing period." />
        <SettingSelect form={form} field="invoice_action" label="Invoice" options={INVOICE_ACTIONS} />
        <SettingSwitch form={form} field="tidy_later_invoices" label="Close later unpaid invoices too"
          description="Apply the same ending to newer open invoices of the same subscription." />
      </Section>
      <Divider />
      <Section title="Emails" description="Reminders sent to your customers, each with a secure link to update their card.">
        <SettingSwitch form={form} field="emails_enabled" label="Send reminder emails" />
        <SettingText form={form} field="brand_name" label="Brand name" maxLength={BRAND_NAME_MAX} disabled={!emails}
          description={`The name customers see in the emails. Up to ${BRAND_NAME_MAX} characters.`} />
        <SettingText form={form} field="brand_color" label="Brand color" placeholder="#635BFF" disabled={!emails}
          description="A hex color such as #635BFF." />
        <SettingText form={form} field="reply_to" type="email" label="Reply-to address" disabled={!emails}
          description="Optional. Customers' replies go to this address." />
        <SettingSwitch form={form} field="persuasive_copy" label="Persuasive wording" disabled={!emails}
          description="Remind customers what they keep by updating their card." />
        <SettingSwitch form={form} field="sms_enabled" label="Send text messages too"
          description="Sent through your own Twilio account." />
      </Section>
      <Divider />
      <Section title="Advanced">
        <SettingSwitch form={form} field="pause_stripe_retries" label="Pause Stripe's retries on invoices Recoup manages"
          description="Two retry systems on one invoice use up the card networks' retry limits and annoy customers." />
        <SettingSwitch form={form} field="daily_overdue_chase" label="Daily check for missed failures"
          description="Once a day, look for unpaid invoices whose failure Recoup was never told about." />
      </Section>
    </Box>
  );
}

/** The app's settings page: every recovery rule, grouped, saved with the page's Save button. */
const AppSettings = (context: ExtensionContextValue) => {
  const {state, reload, saveState, save} = useSettings(context);
  const stored = state.status === 'ready' ? state.data.settings : null;
  const form = useSettingsForm(stored, save);
  const caller = useCaller(context);

  if (state.status === 'error') {
    return (
      <SettingsView>
        <ErrorState title="Your settings could not be loaded" error={state.error} onRetry={reload} />
      </SettingsView>
    );
  }
  if (state.status === 'loading' || stored === null || form.draft === null) {
    return (
      <SettingsView>
        <LoadingState label="Loading your settings…" />
      </SettingsView>
    );
  }

  const {draft} = form;
  const saveError = saveState.status === 'failed' ? saveState.error : null;
  const errorHasField = saveError?.field !== undefined && isSettingsField(saveError.field) && isFieldShown(draft, saveError.field);
  return (
    <SettingsView onSave={() => void form.submit()} statusMessage={statusMessage(saveState, form.errors)}>
      <Box css={{stack: 'y', gap: 'large'}}>
        {stored.enabled ? null : (
          <Banner
            title="Recovery is off"
            description="Recoup isn't retrying any failed payments yet. Choose your rules, turn on “Recover failed payments” and save."
          />
        )}
        <WarningsBanner warnings={state.data.warnings} />
        {saveError && !errorHasField ? (
          <Banner type="critical" title="Your changes were not saved" description={saveError.message} />
        ) : null}
        <SettingsForm form={{draft, errors: form.errors, setField: form.setField}} />
        {draft.sms_enabled ? <SmsCredentials caller={caller} /> : null}
        <Divider />
        <TakeoverSection caller={caller} />
        <Divider />
        <AuditExport caller={caller} />
      </Box>
    </SettingsView>
  );
};

export default AppSettings;
