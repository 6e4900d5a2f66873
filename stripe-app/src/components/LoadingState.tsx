import {Box, Inline, Spinner} from '@stripe/ui-extension-sdk/ui';

export function LoadingState({label}: {label: string}) {
  return (
    <Box css={{stack: 'x', gap: 'small', alignY: 'center', padding: 'medium'}}>
      <Spinner size="medium" />
      <Inline css={{color: 'secondary'}}>{label}</Inline>
    </Box>
  );
}
