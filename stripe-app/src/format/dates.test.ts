import {formatDateTime, formatDay} from './dates';

describe('formatDateTime', () => {
  it('shows a short date and time', () => {
    expect(formatDateTime('2026-12-01T09:00:00Z')).toMatch(/^Dec 1, 2026, 9:00\s?AM$/);
  });

  it('leaves a value it cannot read as it is', () => {
    expect(formatDateTime('soon')).toBe('soon');
  });
});

describe('formatDay', () => {
  it('shows the week start as month and day, whatever the viewer time zone', () => {
    expect(formatDay('2026-11-16')).toBe('Nov 16');
  });
});
