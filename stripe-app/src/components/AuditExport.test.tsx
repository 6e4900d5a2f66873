import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {TextArea} from '@stripe/ui-extension-sdk/ui';

import type {AuditEntry} from '../api/types';
import {contextFor} from '../testing/fixtures';
import {FakeBackend} from '../testing/http';
import {buttonLabelled, renderView, unmountAll} from '../testing/views';
import {AuditExport, CSV_COLUMNS, toCsv} from './AuditExport';

let backend: FakeBackend;

afterEach(unmountAll);
beforeEach(() => {
  backend = new FakeBackend().install();
});

function anEntry(seq: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    seq, occurred_at: '2026-11-27T09:00:00+00:00', kind: 'merchant_action', operation: 'settings.save',
    object_id: null, actor: 'dashboard:usr_1Ann', invoice_id: null, idempotency_key: null, request_id: null,
    http_status: null, outcome: 'succeeded', error: null, redacted: false, row_hash: 'a'.repeat(64), ...overrides,
  };
}

function renderExport() {
  const {userContext, environment} = getMockContextProps(contextFor('settings'));
  return renderView(<AuditExport caller={{userContext, environment}} />);
}

describe('AuditExport', () => {
  it('pages through the whole trail and shows it as CSV with a header row', async () => {
    backend.respond(200, {entries: [anEntry(1), anEntry(2)], has_more: true, next_starting_after: 2});
    backend.respond(200, {entries: [anEntry(3)], has_more: false, next_starting_after: null});
    const {wrapper, update} = renderExport();

    buttonLabelled(wrapper, 'Export audit trail as CSV').trigger('onPress', {});
    await update();
    await update();

    expect(backend.requests.map((r) => r.url.searchParams.get('starting_after'))).toEqual([null, '2']);
    const csv = String(wrapper.find(TextArea)!.prop('value'));
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['1', '2', '3']);
    expect(wrapper.find(TextArea)!.prop('label')).toContain('3 rows');
  });

  it('says when nothing has been recorded', async () => {
    backend.respond(200, {entries: [], has_more: false, next_starting_after: null});
    const {wrapper, update} = renderExport();

    buttonLabelled(wrapper, 'Export audit trail as CSV').trigger('onPress', {});
    await update();

    expect(wrapper).toContainText('Nothing has been recorded yet.');
  });

  it('explains a failed export', async () => {
    backend.respond(401, {error: {code: 'invalid_signature', message: 'Stripe could not confirm your session.'}});
    const {wrapper, update} = renderExport();

    buttonLabelled(wrapper, 'Export audit trail as CSV').trigger('onPress', {});
    await update();

    expect(wrapper).toContainText('The audit trail could not be exported: Stripe could not confirm your session.');
  });

  it('keeps a spreadsheet from running a cell as a formula', () => {
    const csv = toCsv([anEntry(1, {error: '=HYPERLINK("x")'})]);

    expect(csv.split('\r\n')[1]).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
