import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {useRefreshDashboardData} from '@stripe/ui-extension-sdk/context';
import {useState} from 'react';
import {Banner, Box, Button, ButtonGroup, ContextView, Inline} from '@stripe/ui-extension-sdk/ui';

import type {ApiResult, RecoveryAction, RecoveryActionResponse} from '../api/types';
import {AuditEntries} from '../components/AuditEntries';
import {ErrorState} from '../components/ErrorState';
import {LoadingState} from '../components/LoadingState';
import {notify} from '../components/notify';
import {MoneyBackNotice} from '../components/MoneyBackNotice';
import {RecoveryDetails} from '../components/RecoveryDetails';
import {ACTION_LABELS} from '../format/labels';
import {useCaller} from '../hooks/useCaller';
import {useRecovery} from '../hooks/useRecovery';

const TITLE = 'Payment recovery';

// Dashboard roles that may look but not act (Stripe's built-in read-only roles).
const READ_ONLY_ROLES = new Set(['view_only', 'analyst']);

/** Whether the viewer's roles let them change a recovery; unknown roles are left to the backend. */
export function mayAct(roles: ExtensionContextValue['userContext']['roles']): boolean {
  if (!roles || roles.length === 0) {
    return true;
  }
  return roles.some((role) => !READ_ONLY_ROLES.has(role.id ?? role.name));
}

// Toasts are cut off by the Dashboard past 30 characters; InvoiceRecovery.test.tsx checks each one.
export const ACTION_TOASTS: Record<RecoveryAction, string> = {
  retry_now: 'Payment retried',
  pause: 'Recovery paused',
  resume: 'Recovery resumed',
  stop: 'Recovery stopped',
  enrol: 'Invoice enrolled',
};
export const RECOVERED_TOAST = 'Payment recovered';
export const CONFLICT_TOAST = 'Not possible right now';
export const FAILED_TOAST = 'Action failed';

function toastFor(action: RecoveryAction, result: ApiResult<RecoveryActionResponse>): string {
  if (!result.ok) {
    return result.status === 409 ? CONFLICT_TOAST : FAILED_TOAST;
  }
  return action === 'retry_now' && result.data.recovery.status === 'recovered' ? RECOVERED_TOAST : ACTION_TOASTS[action];
}

/** The invoice page panel: the invoice's recovery story and the actions its state allows. */
const InvoiceRecovery = (context: ExtensionContextValue) => {
  const invoiceId = context.environment.objectContext?.id ?? null;
  const {state, reload, pendingAction, actionError, act} = useRecovery(context, invoiceId);
  const caller = useCaller(context);
  const refreshDashboard = useRefreshDashboardData();
  const locale = context.userContext.locale;
  const canAct = mayAct(context.userContext.roles);
  const [confirmingStop, setConfirmingStop] = useState(false);

  const run = async (action: RecoveryAction) => {
    setConfirmingStop(false);
    const result = await act(action);
    notify(toastFor(action, result), result.ok ? 'success' : 'caution');
    if (result.ok) {
      // Actions change the invoice itself (a payment, auto-advance); let the Dashboard show it.
      refreshDashboard().catch(() => undefined);
    }
  };
  const actionButton = (action: RecoveryAction, type: 'primary' | 'secondary' | 'destructive') => (
    <Button key={action} type={type} pending={pendingAction === action}
      disabled={pendingAction !== null && pendingAction !== action}
      onPress={() => (action === 'stop' ? setConfirmingStop(true) : void run(action))}>
      {ACTION_LABELS[action]}
    </Button>
  );
  const actionFailure = actionError ? (
    <Banner type="critical" title="That didn't work" description={actionError.message} />
  ) : null;

  if (state.status === 'loading') {
    return (
      <ContextView title={TITLE}>
        <LoadingState label="Loading this invoice's recovery…" />
      </ContextView>
    );
  }
  if (state.status === 'error') {
    return (
      <ContextView title={TITLE}>
        {invoiceId === null ? (
          <ErrorState title="No invoice selected" error={state.error} />
        ) : (
          <ErrorState title="The recovery could not be loaded" error={state.error} onRetry={reload} />
        )}
      </ContextView>
    );
  }

  const {recovery} = state.data;
  if (recovery === null) {
    return (
      <ContextView title={TITLE}>
        <Box css={{stack: 'y', gap: 'medium'}}>
          {actionFailure}
          <Inline>Recoup is not recovering this invoice.</Inline>
          <Inline css={{color: 'secondary'}}>
            Enrol it to retry the payment at well-chosen times and remind the customer by email.
          </Inline>
          {canAct ? <Box>{actionButton('enrol', 'primary')}</Box> : null}
        </Box>
      </ContextView>
    );
  }

  return (
    <ContextView title={TITLE}>
      <Box css={{stack: 'y', gap: 'large'}}>
        {recovery.observe_only ? (
          <Banner
            title="Observe only"
            description="Recoup shows what it would do for this invoice but does not charge the card or email the customer."
          />
        ) : null}
        {recovery.stripe_retrying ? (
          <Banner
            type="caution"
            title="Stripe is also retrying this invoice"
            description="Two retry schedules use up the card's retry budget and annoy the customer. Turn off Smart Retries in Billing settings, or let Recoup pause them (Settings)."
          />
        ) : null}
        <MoneyBackNotice moneyBack={recovery.money_back} currency={recovery.currency} locale={locale} />
        {actionFailure}
        {confirmingStop ? (
          <Box css={{stack: 'y', gap: 'small'}}>
            <Banner
              type="critical"
              title="Stop recovering this invoice?"
              description="Recoup will not retry the payment or contact the customer again. This cannot be undone."
            />
            <ButtonGroup>
              <Button type="destructive" onPress={() => void run('stop')}>Stop recovery</Button>
              <Button onPress={() => setConfirmingStop(false)}>Keep recovering</Button>
            </ButtonGroup>
          </Box>
        ) : null}
        {!canAct ? (
          <Inline css={{color: 'secondary'}}>Your Dashboard role can view this recovery but not change it.</Inline>
        ) : null}
        {canAct && recovery.actions.length > 0 ? (
          <ButtonGroup>
            {recovery.actions.map((action) =>
              actionButton(action, action === 'stop' ? 'destructive' : action === 'retry_now' ? 'primary' : 'secondary'))}
          </ButtonGroup>
        ) : null}
        <RecoveryDetails recovery={recovery} locale={locale} />
        {invoiceId ? <AuditEntries caller={caller} invoiceId={invoiceId} locale={locale} /> : null}
      </Box>
    </ContextView>
  );
};

export default InvoiceRecovery;
