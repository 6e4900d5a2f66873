import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {ContextView} from '@stripe/ui-extension-sdk/ui';

import {RecoveryList} from '../components/RecoveryList';

/** The customer page panel: every recovery of this customer's invoices and where each stands. */
const CustomerRecoveries = (context: ExtensionContextValue) => {
  const object = context.environment.objectContext;
  const id = object?.object === 'customer' ? object.id : null;
  return (
    <ContextView title="Payment recovery" description="Failed payments of this customer and where each recovery stands">
      <RecoveryList
        context={context}
        scope={id === null ? null : {customer: id}}
        emptyText="Recoup has not had to recover a payment of this customer."
      />
    </ContextView>
  );
};

export default CustomerRecoveries;
