import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {TextField} from '@stripe/ui-extension-sdk/ui';

import {contextFor} from '../testing/fixtures';
import {FakeBackend} from '../testing/http';
import {buttonLabelled, renderView, unmountAll} from '../testing/views';
import {SmsCredentials} from './SmsCredentials';

jest.mock('@stripe/ui-extension-sdk/utils', () => ({
  ...jest.requireActual('@stripe/ui-extension-sdk/utils'),
  fetchStripeSignature: jest.fn(async () => 't=1,v1=abc'),
}));

const SID = `AC${'a1'.repeat(16)}`;
let backend: FakeBackend;

afterEach(unmountAll);
beforeEach(() => {
  backend = new FakeBackend().install();
});

async function renderForm(setup: unknown) {
  backend.respond(200, setup);
  const {userContext, environment} = getMockContextProps(contextFor('settings'));
  const view = renderView(<SmsCredentials caller={{userContext, environment}} />);
  await view.update();
  return view;
}

function type(wrapper: Awaited<ReturnType<typeof renderForm>>['wrapper'], name: string, value: string) {
  wrapper.find(TextField, {name})!.trigger('onChange', {target: {value}});
}

describe('SmsCredentials', () => {
  it('says when no Twilio account is connected', async () => {
    const {wrapper} = await renderForm({configured: false, account_sid: null, from_number: null});

    expect(wrapper).toContainText('No Twilio account connected yet: texts cannot be sent.');
  });

  it('sends the credentials to be checked and stored, and shows the connection', async () => {
    const {wrapper, update} = await renderForm({configured: false, account_sid: null, from_number: null});
    type(wrapper, 'twilio_account_sid', SID);
    type(wrapper, 'twilio_auth_token', 'f0'.repeat(16));
    type(wrapper, 'twilio_from_number', '+4915112345678');
    backend.respond(200, {configured: true, account_sid: 'AC…a1a1', from_number: '+4915112345678'});

    buttonLabelled(wrapper, 'Save Twilio credentials').trigger('onPress', {});
    await update();

    expect(backend.last.method).toBe('PUT');
    expect(backend.last.url.pathname).toBe('/api/v1/sms/credentials');
    expect(backend.last.body).toMatchObject({
      credentials: {account_sid: SID, auth_token: 'f0'.repeat(16), from_number: '+4915112345678'},
    });
    expect(wrapper).toContainText('Connected to Twilio account AC…a1a1, sending from +4915112345678.');
    expect(wrapper.find(TextField, {name: 'twilio_auth_token'})!.prop('value')).toBe('');
  });

  it('shows wrong credentials on the field Twilio refused', async () => {
    const {wrapper, update} = await renderForm({configured: false, account_sid: null, from_number: null});
    backend.respond(422, {error: {code: 'invalid_setting', field: 'auth_token',
      message: 'Twilio refused these credentials: Twilio refused the Account SID or auth token'}});

    buttonLabelled(wrapper, 'Save Twilio credentials').trigger('onPress', {});
    await update();

    expect(wrapper).toContainComponent(TextField, {
      name: 'twilio_auth_token', invalid: true,
      error: 'Twilio refused these credentials: Twilio refused the Account SID or auth token',
    });
  });
});
