import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {ContextView} from '@stripe/ui-extension-sdk/ui';

import {RecoveryList} from '../components/RecoveryList';

/** The subscription page panel: every recovery of this subscription's invoices and where each stands. */
const SubscriptionRecoveries = (context: ExtensionContextValue) => {
  const object = context.environment.objectContext;
  const id = object?.object === 'subscription' ? object.id : null;
  return (
    <ContextView title="Payment recovery" description="Failed payments of this subscription and where each recovery stands">
      <RecoveryList
        context={context}
        scope={id === null ? null : {subscription: id}}
        emptyText="Recoup has not had to recover a payment of this subscription."
      />
    </ContextView>
  );
};

export default SubscriptionRecoveries;
