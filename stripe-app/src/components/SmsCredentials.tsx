import {Box, Button, Inline, TextField} from '@stripe/ui-extension-sdk/ui';
import {useEffect, useState} from 'react';

import type {Caller} from '../api/client';
import {getSmsSetup, saveSmsCredentials} from '../api/recoup';
import type {ApiError, SmsCredentialsInput, SmsSetup} from '../api/types';

type Props = {caller: Caller};

const EMPTY: SmsCredentialsInput = {account_sid: '', auth_token: '', from_number: ''};

type State =
  | {status: 'loading'}
  | {status: 'ready'; setup: SmsSetup}
  | {status: 'saving'; setup: SmsSetup}
  | {status: 'failed'; setup: SmsSetup; error: ApiError};

const NOT_CONFIGURED: SmsSetup = {configured: false, account_sid: null, from_number: null};

export function connectionSummary(setup: SmsSetup): string {
  return setup.configured
    ? `Connected to Twilio account ${setup.account_sid ?? ''}, sending from ${setup.from_number ?? ''}.`
    : 'No Twilio account connected yet: texts cannot be sent.';
}

/** The merchant's Twilio credentials; Recoup checks them with Twilio and keeps them in Stripe's Secret Store. */
export function SmsCredentials({caller}: Props) {
  const [state, setState] = useState<State>({status: 'loading'});
  const [draft, setDraft] = useState<SmsCredentialsInput>(EMPTY);

  useEffect(() => {
    let live = true;
    void getSmsSetup(caller).then((result) => {
      if (live) {
        setState({status: 'ready', setup: result.ok ? result.data : NOT_CONFIGURED});
      }
    });
    return () => {
      live = false;
    };
  }, [caller]);

  if (state.status === 'loading') {
    return <Inline css={{color: 'secondary'}}>Checking your Twilio connection…</Inline>;
  }

  const save = async () => {
    setState({status: 'saving', setup: state.setup});
    const result = await saveSmsCredentials(caller, draft);
    if (result.ok) {
      setDraft(EMPTY);
      setState({status: 'ready', setup: result.data});
    } else {
      setState({status: 'failed', setup: state.setup, error: result.error});
    }
  };
  const errorFor = (field: keyof SmsCredentialsInput): string | undefined =>
    state.status === 'failed' && state.error.field === field ? state.error.message : undefined;
  const field = (name: keyof SmsCredentialsInput, label: string, type: 'text' | 'password' = 'text') => (
    <TextField
      name={`twilio_${name}`}
      label={label}
      type={type}
      value={draft[name]}
      error={errorFor(name)}
      invalid={errorFor(name) !== undefined}
      onChange={(event) => setDraft({...draft, [name]: event.target.value})}
    />
  );

  return (
    <Box css={{stack: 'y', gap: 'small'}}>
      <Inline css={{font: 'subheading'}}>Twilio account</Inline>
      <Inline css={{color: 'secondary'}}>{connectionSummary(state.setup)}</Inline>
      {field('account_sid', 'Account SID')}
      {field('auth_token', 'Auth token', 'password')}
      {field('from_number', 'Sender number (international format, e.g. +4915112345678)')}
      {state.status === 'failed' && state.error.field === undefined ? (
        <Inline css={{color: 'critical'}}>{state.error.message}</Inline>
      ) : null}
      <Button type="secondary" disabled={state.status === 'saving'} onPress={() => void save()}>
        {state.status === 'saving' ? 'Checking with Twilio…' : 'Save Twilio credentials'}
      </Button>
    </Box>
  );
}
