import { Box, Text } from 'ink';
import type { ConnectionState } from '../chat-client.js';

const look: Record<ConnectionState, { color: string; label: string }> = {
  connecting: { color: 'yellow', label: 'connecting' },
  connected: { color: 'green', label: 'connected' },
  reconnecting: { color: 'yellow', label: 'reconnecting' },
  offline: { color: 'red', label: 'offline' },
};

export function StatusBar(props: {
  username: string;
  server: string;
  state: ConnectionState;
  detail?: string;
  scrolled: boolean;
}) {
  const { color, label } = look[props.state];
  return (
    <Box>
      <Text dimColor>
        {props.username}@{props.server.replace(/^https?:\/\//, '')} ·{' '}
      </Text>
      <Text color={color}>● {label}</Text>
      {props.detail ? <Text dimColor> ({props.detail})</Text> : null}
      {props.scrolled ? <Text color="yellow"> · scrolled up (PgDn for newest)</Text> : null}
      <Text dimColor> · /help</Text>
    </Box>
  );
}
