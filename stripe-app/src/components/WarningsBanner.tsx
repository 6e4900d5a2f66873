import {Banner, Box} from '@stripe/ui-extension-sdk/ui';

import type {Warning} from '../api/types';

const TITLES: Record<string, string> = {
  stripe_retries_active: 'Stripe is also retrying',
};

function describe(warning: Warning): string {
  return warning.invoice_id ? `${warning.message} (invoice ${warning.invoice_id})` : warning.message;
}

/** Show each of the backend's warnings, e.g. Stripe still retrying invoices that Recoup manages. */
export function WarningsBanner({warnings}: {warnings: Warning[]}) {
  if (warnings.length === 0) {
    return null;
  }
  return (
    <Box css={{stack: 'y', gap: 'small'}}>
      {warnings.map((warning, index) => (
        <Banner
          key={`${warning.code}-${warning.invoice_id ?? index}`}
          type="caution"
          title={TITLES[warning.code] ?? 'Needs your attention'}
          description={describe(warning)}
        />
      ))}
    </Box>
  );
}
