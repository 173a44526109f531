import { Text } from 'ink';
import InkSpinner from 'ink-spinner';

export function Busy({ label }: { label: string }) {
  return (
    <Text>
      <Text color="cyan">
        <InkSpinner type="dots" />
      </Text>{' '}
      {label}
    </Text>
  );
}
