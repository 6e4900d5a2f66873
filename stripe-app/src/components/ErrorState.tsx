import {Banner, Box, Button} from '@stripe/ui-extension-sdk/ui';

import type {ApiError} from '../api/types';

type Props = {
  title: string;
  error: ApiError;
  onRetry?: () => void;
};

export function ErrorState({title, error, onRetry}: Props) {
  return (
    <Box css={{stack: 'y', gap: 'medium'}}>
      <Banner type="critical" title={title} description={error.message} />
      {onRetry ? (
        <Box>
          <Button onPress={onRetry}>Try again</Button>
        </Box>
      ) : null}
    </Box>
  );
}
