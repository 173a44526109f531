import { useEffect, useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import type { DeviceCodeBody, LoginBody } from '../../../server/protocol.js';
import { canOpenBrowser, deviceClientName, deviceLogin, openBrowser } from '../../client/device-login.js';
import { Mux1Error } from '../../client/errors.js';
import { describeFailure, textsOf } from '../../client/language.js';
import { qrLines } from '../../client/qr.js';
import { Busy } from '../components/Form.js';
import type { TuiServices } from '../services.js';

const t = textsOf('tui');

interface Props {
  services: TuiServices;
  onLoggedIn: (result: LoginBody) => void;
  onBack: () => void;
  /** How the wait between polls is made (tests may shorten it). */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * "Log in with a browser": device login (RFC 8628), as `mux1 login --web` runs it. The code and
 * the page to enter it on, the QR code of the page with the code filled in when the terminal has
 * room for it beside the text, and a wait for the approval; Esc gives up.
 */
export function BrowserLoginScreen({ services, onLoggedIn, onBack, wait }: Props) {
  const [codes, setCodes] = useState<DeviceCodeBody | undefined>();
  const [opened, setOpened] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);
  const { stdout } = useStdout();

  useEffect(() => {
    const controller = new AbortController();
    setCodes(undefined);
    setFailure(undefined);
    deviceLogin(services.rest(), {
      clientName: deviceClientName('mux1 TUI'),
      signal: controller.signal,
      wait,
      onCode: (shown) => {
        setCodes(shown);
        if (canOpenBrowser()) {
          openBrowser(shown.verification_uri_complete);
          setOpened(true);
        }
      },
    }).then(
      (login) => !controller.signal.aborted && onLoggedIn(login),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        const e = Mux1Error.from(err);
        setFailure(e.code === 'access_denied' ? t('browserLogin.denied') : describeFailure(e));
      },
    );
    return () => controller.abort();
  }, [services, attempt]);

  useInput((input, key) => {
    if (key.escape) onBack();
    else if (failure && key.return) setAttempt((n) => n + 1);
  });

  if (failure) {
    return (
      <Box flexDirection="column" paddingX={1}>
        <Text bold>{t('browserLogin.title')}</Text>
        <Text color="red">✗ {failure}</Text>
        <Box marginTop={1}>
          <Text dimColor>{t('browserLogin.retryHelp')}</Text>
        </Box>
      </Box>
    );
  }
  if (!codes) {
    return (
      <Box paddingX={1}>
        <Busy label={t('browserLogin.asking')} />
      </Box>
    );
  }

  const qr = qrLines(codes.verification_uri_complete);
  const qrWidth = [...(qr[0] ?? '')].length;
  const columns = stdout.columns || 80;
  const rows = stdout.rows || 24;
  // Beside the text, and only when both fit: a cut-off code reads as nothing or, worse, wrong.
  const showQr = columns >= qrWidth + 40 && rows >= qr.length + 2;
  const textWidth = showQr ? columns - qrWidth - 4 : columns - 2;
  return (
    <Box flexDirection="row" paddingX={1}>
      {showQr ? (
        <Box flexDirection="column" marginRight={2}>
          {qr.map((line, i) => (
            <Text key={i}>{line}</Text>
          ))}
        </Box>
      ) : null}
      <Box flexDirection="column" width={textWidth}>
        <Text bold>{t('browserLogin.title')}</Text>
        <Box marginTop={1} flexDirection="column">
          <Text>{t('browserLogin.openPage')}</Text>
          <Text color="cyan">{codes.verification_uri}</Text>
          <Text>{t('browserLogin.enterCode')}</Text>
        </Box>
        <Box marginY={1}>
          <Text bold color="yellow">
            {'  '}
            {codes.user_code}
          </Text>
        </Box>
        {showQr ? <Text dimColor>{t('browserLogin.scan')}</Text> : null}
        {opened ? <Text dimColor>{t('browserLogin.opened')}</Text> : null}
        <Box marginTop={1}>
          <Busy label={t('browserLogin.waiting', { count: Math.round(codes.expires_in / 60) })} />
        </Box>
        <Box marginTop={1}>
          <Text dimColor>{t('browserLogin.back')}</Text>
        </Box>
      </Box>
    </Box>
  );
}
