import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {Banner, Select, SettingsView, Spinner, Switch, TextField} from '@stripe/ui-extension-sdk/ui';

import type {Settings, Warning} from '../api/types';
import {SETTINGS_FIELDS} from '../settings/form';
import {aSettings, contextFor, STRIPE_RETRIES_WARNING} from '../testing/fixtures';
import {FakeBackend} from '../testing/http';
import {buttonLabelled, renderView, unmountAll} from '../testing/views';
import AppSettings from './AppSettings';

// The takeover section loads its own status; it has its own tests (components/TakeoverSection.test.tsx).
jest.mock('../components/TakeoverSection', () => {
  const {Inline} = jest.requireActual('@stripe/ui-extension-sdk/ui');
  return {TakeoverSection: () => <Inline>Takeover of existing failed invoices</Inline>};
});

let backend: FakeBackend;

afterEach(unmountAll);

beforeEach(() => {
  backend = new FakeBackend().install();
});

async function renderSettings(settings: Settings = aSettings(), warnings: Warning[] = []) {
  backend.respond(200, {settings, warnings});
  const view = renderView(<AppSettings {...getMockContextProps(contextFor('settings'))} />);
  await view.update();
  return view;
}

function controlNamed(wrapper: Awaited<ReturnType<typeof renderSettings>>['wrapper'], name: string) {
  return wrapper.find(TextField, {name}) ?? wrapper.find(Switch, {name}) ?? wrapper.find(Select, {name});
}

describe('AppSettings', () => {
  it('includes the takeover of existing failed invoices', async () => {
    const {wrapper} = await renderSettings();

    expect(wrapper).toContainText('Takeover of existing failed invoices');
  });

  it('shows a spinner and no Save button while the settings load', async () => {
    backend.hang();

    const {wrapper, update} = renderView(<AppSettings {...getMockContextProps(contextFor('settings'))} />);
    await update();

    expect(wrapper).toContainComponent(Spinner);
    expect(wrapper).toContainText('Loading your settings…');
    expect(wrapper.find(SettingsView)?.prop('onSave')).toBeUndefined();
  });

  it('asks the backend for this account and mode', async () => {
    await renderSettings();

    expect(backend.last.url.pathname).toBe('/api/v1/settings');
    expect(backend.last.url.searchParams.get('account_id')).toBe('acct_1234');
    expect(backend.last.url.searchParams.get('user_id')).toBe('usr_1234');
    expect(backend.last.url.searchParams.get('mode')).toBe('test');
  });

  it('explains a failed load and loads again on request', async () => {
    backend.respond(404, {error: {code: 'account_not_installed', message: 'Recoup is not installed on this account.'}});
    const {wrapper, update} = renderView(<AppSettings {...getMockContextProps(contextFor('settings'))} />);
    await update();

    expect(wrapper).toContainComponent(Banner, {type: 'critical', description: 'Recoup is not installed on this account.'});
    expect(wrapper.find(SettingsView)?.prop('onSave')).toBeUndefined();

    backend.respond(200, {settings: aSettings(), warnings: []});
    buttonLabelled(wrapper, 'Try again').trigger('onPress', {});
    await update();

    expect(wrapper).toContainComponent(TextField, {name: 'max_retries', value: '6'});
  });

  it('says recovery is off when it has not been turned on', async () => {
    const {wrapper} = await renderSettings(aSettings({enabled: false}));

    expect(wrapper).toContainComponent(Banner, {title: 'Recovery is off'});
    expect(wrapper).toContainComponent(Switch, {name: 'enabled', checked: false});
  });

  it('shows every setting with its stored value, in groups', async () => {
    const stored = aSettings({subscription_action: 'cancel_after_delay', cancel_delay_days: 3, cancel_delay_hours: 4});

    const {wrapper} = await renderSettings(stored);

    for (const title of ['Recovery', 'Retries', 'End of recovery', 'Emails', 'Advanced']) {
      expect(wrapper).toContainText(title);
    }
    for (const name of SETTINGS_FIELDS) {
      const control = controlNamed(wrapper, name);
      expect(control).not.toBeNull();
      const value = stored[name];
      expect(control?.props).toMatchObject(typeof value === 'boolean' ? {checked: value} : {value: String(value)});
    }
    expect(wrapper).not.toContainComponent(Banner, {title: 'Recovery is off'});
    expect(wrapper).toContainComponent(TextField, {name: 'max_retries', type: 'number', description: 'From 1 to 10.'});
  });

  it('shows the cancellation delay only for a delayed cancellation', async () => {
    const {wrapper} = await renderSettings(aSettings({subscription_action: 'leave'}));
    expect(wrapper).not.toContainComponent(TextField, {name: 'cancel_delay_days'});

    wrapper.find(Select, {name: 'subscription_action'})!.trigger('onChange', {target: {value: 'cancel_after_delay'}});

    expect(wrapper).toContainComponent(TextField, {name: 'cancel_delay_days', value: '0'});
    expect(wrapper).toContainComponent(TextField, {name: 'cancel_delay_hours', value: '0'});
  });

  it('shows warnings from the backend in a banner', async () => {
    const {wrapper} = await renderSettings(aSettings(), [STRIPE_RETRIES_WARNING]);

    expect(wrapper).toContainComponent(Banner, {
      type: 'caution',
      title: 'Stripe is also retrying',
      description: 'Stripe is also retrying an invoice Recoup manages. (invoice in_42)',
    });
  });

  it('saves only the settings that changed, as typed values', async () => {
    const {wrapper, update} = await renderSettings();
    wrapper.find(TextField, {name: 'max_retries'})!.trigger('onChange', {target: {value: '8'}});
    wrapper.find(Switch, {name: 'observe_only'})!.trigger('onChange', {target: {checked: true}});
    wrapper.find(Select, {name: 'invoice_action'})!.trigger('onChange', {target: {value: 'void'}});
    backend.respond(200, {settings: aSettings({max_retries: 8, observe_only: true, invoice_action: 'void'}), warnings: []});

    wrapper.find(SettingsView)!.trigger('onSave', {});
    await update();

    expect(backend.last.method).toBe('PUT');
    expect(backend.last.body).toEqual({
      user_id: 'usr_1234',
      account_id: 'acct_1234',
      mode: 'test',
      settings: {max_retries: 8, observe_only: true, invoice_action: 'void'},
    });
    expect(wrapper).toContainComponent(SettingsView, {statusMessage: 'Saved'});
  });

  it('keeps out-of-range numbers from being sent', async () => {
    const {wrapper, update} = await renderSettings();
    wrapper.find(TextField, {name: 'dunning_days'})!.trigger('onChange', {target: {value: '90'}});

    wrapper.find(SettingsView)!.trigger('onSave', {});
    await update();

    expect(backend.requests).toHaveLength(1);
    expect(wrapper).toContainComponent(TextField, {name: 'dunning_days', error: 'Enter a whole number from 7 to 60.'});
    expect(wrapper).toContainComponent(SettingsView, {statusMessage: 'Not saved'});
  });

  it('lets the merchant set the success fee Home compares Recoup with, within 0 to 50 percent', async () => {
    const {wrapper, update} = await renderSettings();
    expect(wrapper).toContainComponent(TextField, {name: 'success_fee_percent', value: '15', type: 'number'});
    wrapper.find(TextField, {name: 'success_fee_percent'})!.trigger('onChange', {target: {value: '60'}});

    wrapper.find(SettingsView)!.trigger('onSave', {});
    await update();

    expect(backend.requests).toHaveLength(1);
    expect(wrapper).toContainComponent(TextField, {name: 'success_fee_percent', error: 'Enter a whole number from 0 to 50.'});
  });

  it('shows the field the backend refused next to that field', async () => {
    const {wrapper, update} = await renderSettings();
    wrapper.find(Select, {name: 'subscription_action'})!.trigger('onChange', {target: {value: 'cancel_after_delay'}});
    backend.respond(422, {
      error: {code: 'invalid_setting', message: 'A delayed cancellation needs a delay of at least one hour.', field: 'cancel_delay_days'},
    });

    wrapper.find(SettingsView)!.trigger('onSave', {});
    await update();

    expect(wrapper).toContainComponent(TextField, {
      name: 'cancel_delay_days',
      error: 'A delayed cancellation needs a delay of at least one hour.',
      invalid: true,
    });
    expect(wrapper).toContainComponent(SettingsView, {statusMessage: 'Not saved'});
    expect(wrapper).not.toContainComponent(Banner, {title: 'Your changes were not saved'});
  });

  it('asks for the Twilio account only when texts are switched on', async () => {
    const {wrapper, update} = await renderSettings();
    const before = wrapper.find(TextField, {name: 'twilio_account_sid'});
    backend.respond(200, {configured: false, account_sid: null, from_number: null});

    wrapper.find(Switch, {name: 'sms_enabled'})!.trigger('onChange', {target: {checked: true}});
    await update();

    expect(before).toBeNull();
    expect(wrapper).toContainComponent(TextField, {name: 'twilio_account_sid'});
    expect(wrapper).toContainText('No Twilio account connected yet: texts cannot be sent.');
  });

  it('shows a refusal without a known field in a banner', async () => {
    const {wrapper, update} = await renderSettings();
    backend.respond(200, {configured: false, account_sid: null, from_number: null});  // the Twilio form loads
    wrapper.find(Switch, {name: 'sms_enabled'})!.trigger('onChange', {target: {checked: true}});
    await update();
    backend.respond(401, {error: {code: 'invalid_signature', message: 'Your session has expired. Reload the page.'}});

    wrapper.find(SettingsView)!.trigger('onSave', {});
    await update();

    expect(wrapper).toContainComponent(Banner, {
      type: 'critical',
      title: 'Your changes were not saved',
      description: 'Your session has expired. Reload the page.',
    });
    expect(wrapper).toContainComponent(SettingsView, {statusMessage: 'Not saved'});
    expect(wrapper).toContainComponent(Switch, {name: 'sms_enabled', checked: true});
  });
});
