import {describeObjectRecoveries} from '../testing/objectRecoveriesSuite';
import SubscriptionRecoveries from './SubscriptionRecoveries';

describeObjectRecoveries('SubscriptionRecoveries', {
  View: SubscriptionRecoveries,
  viewport: 'stripe.dashboard.subscription.detail',
  object: 'subscription',
  id: 'sub_42',
});
