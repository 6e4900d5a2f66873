import {describeObjectRecoveries} from '../testing/objectRecoveriesSuite';
import CustomerRecoveries from './CustomerRecoveries';

describeObjectRecoveries('CustomerRecoveries', {
  View: CustomerRecoveries,
  viewport: 'stripe.dashboard.customer.detail',
  object: 'customer',
  id: 'cus_42',
});
