import {useEffect, useState} from 'react';

import {customerLabels} from '../api/customers';

/** Names (or e-mails) for the given customer ids; ids stand in until Stripe answers. */
export function useCustomerLabels(ids: string[]): Record<string, string> {
  const [labels, setLabels] = useState<Record<string, string>>({});
  const key = ids.join(',');
  useEffect(() => {
    let current = true;
    if (key !== '') {
      customerLabels(key.split(',')).then((found) => {
        if (current) {
          setLabels(found);
        }
      });
    }
    return () => {
      current = false;
    };
  }, [key]);
  return labels;
}
