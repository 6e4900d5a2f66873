import {Box, Button, Inline, TextArea} from '@stripe/ui-extension-sdk/ui';
import {useState} from 'react';

import type {Caller} from '../api/client';
import {getAuditPage} from '../api/recoup';
import type {ApiError, AuditEntry} from '../api/types';

type Props = {caller: Caller};

type State =
  | {status: 'idle'}
  | {status: 'loading'}
  | {status: 'error'; error: ApiError}
  | {status: 'ready'; csv: string; rows: number; complete: boolean};

// The same columns, in the same order, as GET /api/v1/audit?format=csv.
export const CSV_COLUMNS = [
  'seq', 'occurred_at', 'kind', 'operation', 'object_id', 'actor', 'invoice_id', 'idempotency_key',
  'request_id', 'http_status', 'outcome', 'error', 'redacted', 'row_hash',
] as const;
const MAX_PAGES = 20;

function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  // A spreadsheet would run a cell starting with = + - @ as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(entries: AuditEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const entry of entries) {
    lines.push(CSV_COLUMNS.map((column) => cell(entry[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Settings: fetch the account's whole audit trail page by page and show it as CSV to copy. */
export function AuditExport({caller}: Props) {
  const [state, setState] = useState<State>({status: 'idle'});

  const exportAll = async () => {
    setState({status: 'loading'});
    const entries: AuditEntry[] = [];
    let cursor: number | null = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await getAuditPage(caller, cursor);
      if (!result.ok) {
        setState({status: 'error', error: result.error});
        return;
      }
      entries.push(...result.data.entries);
      cursor = result.data.next_starting_after;
      if (!result.data.has_more || cursor === null) {
        setState({status: 'ready', csv: toCsv(entries), rows: entries.length, complete: true});
        return;
      }
    }
    setState({status: 'ready', csv: toCsv(entries), rows: entries.length, complete: false});
  };

  return (
    <Box css={{stack: 'y', gap: 'small'}}>
      <Inline css={{font: 'subheading'}}>Audit trail</Inline>
      <Inline css={{color: 'secondary'}}>
        Every change Recoup made in Stripe and every action taken here, chained so that tampering shows.
      </Inline>
      <Box>
        <Button onPress={() => void exportAll()} pending={state.status === 'loading'}>
          Export audit trail as CSV
        </Button>
      </Box>
      {state.status === 'error' ? (
        <Inline css={{color: 'critical'}}>The audit trail could not be exported: {state.error.message}</Inline>
      ) : null}
      {state.status === 'ready' && state.rows === 0 ? (
        <Inline css={{color: 'secondary'}}>Nothing has been recorded yet.</Inline>
      ) : null}
      {state.status === 'ready' && state.rows > 0 ? (
        <TextArea label={`${state.rows} rows${state.complete ? '' : ' (the first ones; use the API for the rest)'}: copy them into a .csv file`}
          name="audit_csv" value={state.csv} readOnly rows={8} />
      ) : null}
    </Box>
  );
}
