import {formatMoney, formatTotals} from './money';

describe('formatMoney', () => {
  it('reads amounts in cents for two-decimal currencies', () => {
    expect(formatMoney(2500, 'usd')).toBe('$25.00');
  });

  it('reads amounts in whole units for zero-decimal currencies', () => {
    expect(formatMoney(2500, 'jpy')).toBe('¥2,500');
  });

  it('reads amounts in thousandths for three-decimal currencies', () => {
    expect(formatMoney(2500, 'kwd')).toMatch(/^KWD\s2\.500$/);
  });

  it('uses the viewer locale and falls back when it is malformed', () => {
    expect(formatMoney(2500, 'eur', 'de-DE')).toMatch(/^25,00\s€$/);
    expect(formatMoney(2500, 'usd', 'not a locale!')).toBe('$25.00');
  });
});

describe('formatTotals', () => {
  it('joins one total per currency', () => {
    expect(formatTotals([{currency: 'usd', amount: 125000}, {currency: 'eur', amount: 3000}])).toBe('$1,250.00 · €30.00');
  });

  it('says when there is nothing to total', () => {
    expect(formatTotals([])).toBe('None yet');
    expect(formatTotals([], undefined, 'Nothing right now')).toBe('Nothing right now');
  });
});
