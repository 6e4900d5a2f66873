import {aSettings} from '../testing/fixtures';
import {changedSettings, checkDraft, isFieldShown, toDraft} from './form';

describe('checkDraft', () => {
  it('turns the text of number fields into numbers and trims text fields', () => {
    const draft = {...toDraft(aSettings()), max_retries: ' 8 ', brand_name: '  Acme  ', reply_to: ' billing@acme.test '};

    const checked = checkDraft(draft);

    expect(checked).toEqual({
      ok: true,
      settings: aSettings({max_retries: 8, brand_name: 'Acme', reply_to: 'billing@acme.test'}),
    });
  });

  it('names every field outside its range or shape', () => {
    const draft = {
      ...toDraft(aSettings()),
      max_retries: '0',
      dunning_days: '7.5',
      cancel_delay_hours: '24',
      brand_name: 'x'.repeat(61),
      brand_color: 'purple',
      reply_to: 'billing at acme',
    };

    const checked = checkDraft(draft);

    expect(checked).toEqual({
      ok: false,
      errors: {
        max_retries: 'Enter a whole number from 1 to 10.',
        dunning_days: 'Enter a whole number from 7 to 60.',
        cancel_delay_hours: 'Enter a whole number from 0 to 23.',
        brand_name: 'Use at most 60 characters.',
        brand_color: 'Enter a color like #635BFF.',
        reply_to: 'Enter an email address, or leave this empty.',
      },
    });
  });

  it('accepts the edges of each range and an empty reply-to address', () => {
    const draft = {...toDraft(aSettings()), max_retries: '10', dunning_days: '7', cancel_delay_days: '60', reply_to: ''};

    expect(checkDraft(draft).ok).toBe(true);
  });
});

describe('changedSettings', () => {
  it('keeps only the fields whose values changed', () => {
    const stored = aSettings();

    const changes = changedSettings(stored, {...stored, enabled: false, invoice_action: 'void'});

    expect(changes).toEqual({enabled: false, invoice_action: 'void'});
  });
});

describe('isFieldShown', () => {
  it('shows the cancellation delay only for a delayed cancellation', () => {
    const draft = toDraft(aSettings({subscription_action: 'cancel_at_period_end'}));

    expect(isFieldShown(draft, 'cancel_delay_days')).toBe(false);
    expect(isFieldShown({...draft, subscription_action: 'cancel_after_delay'}, 'cancel_delay_hours')).toBe(true);
    expect(isFieldShown(draft, 'brand_name')).toBe(true);
  });
});
