import { useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import { textsOf } from '../../client/language.js';
import { wrapLines } from '../components/wrap-lines.js';

const t = textsOf('tui');

export type StartChoice = 'login' | 'browser-login' | 'ssh-login' | 'signup' | 'verify' | 'quit';

// The shortcut letters are the same in every language: hands and scripts learn them once.
const sshItem = { key: 'k', label: t('start.sshLogin'), choice: 'ssh-login' as const };
const baseItems: { key: string; label: string; choice: StartChoice }[] = [
  { key: 'l', label: t('start.login'), choice: 'login' },
  { key: 'b', label: t('start.browserLogin'), choice: 'browser-login' },
  { key: 's', label: t('start.signup'), choice: 'signup' },
  { key: 'v', label: t('start.verify'), choice: 'verify' },
  { key: 'q', label: t('start.quit'), choice: 'quit' },
];

export function StartScreen({
  serverUrl,
  onChoose,
  notice,
  sshAgent,
}: {
  serverUrl: string;
  onChoose: (c: StartChoice) => void;
  notice?: string;
  /** An ssh-agent holds a key of an accepted kind: offer logging in with it. */
  sshAgent?: boolean;
}) {
  const items = sshAgent ? [baseItems[0]!, sshItem, ...baseItems.slice(1)] : baseItems;
  const [index, setIndex] = useState(0);
  const columns = useStdout().stdout.columns || 80;
  useInput((input, key) => {
    if (key.upArrow) setIndex((i) => (i - 1 + items.length) % items.length);
    else if (key.downArrow || key.tab) setIndex((i) => (i + 1) % items.length);
    else if (key.return) onChoose(items[index]!.choice);
    else {
      const hit = items.find((it) => it.key === input.toLowerCase());
      if (hit) onChoose(hit.choice);
    }
  });
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>mux1</Text>
      <Text dimColor>{serverUrl}</Text>
      <Box flexDirection="column" marginTop={1}>
        {items.map((it, i) => (
          <Text key={it.key} color={i === index ? 'cyan' : undefined}>
            {i === index ? '›' : ' '} {it.label} <Text dimColor>({it.key})</Text>
          </Text>
        ))}
      </Box>
      {notice ? (
        <Box marginTop={1}>
          <Text color="green">{notice}</Text>
        </Box>
      ) : null}
      <Box marginTop={1}>
        <Text dimColor>
          {wrapLines(t('start.help', { keys: items.map((it) => it.key).join(' ') }), columns - 2).join('\n')}
        </Text>
      </Box>
    </Box>
  );
}
