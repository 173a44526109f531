import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { decodeKeys, type EditKey } from '../components/keys.js';

/**
 * The keyboard as a line editor reads it. Ink's useInput folds a key into flags that cannot tell
 * Backspace from Delete, Alt-Enter from Enter or Ctrl-Left from Left, and hands a burst over as one
 * string; this reads the same parsed input Ink does and decodes every key in it, in order.
 */
export function useEditKeys(handler: (keys: EditKey[]) => void, { isActive = true } = {}): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!isActive) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isActive, setRawMode]);
  useEffect(() => {
    if (!isActive) return;
    const onInput = (data: string) => latest.current(decodeKeys(data));
    events.on('input', onInput);
    return () => {
      events.removeListener('input', onInput);
    };
  }, [isActive, events]);
}
