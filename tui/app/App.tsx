import { useEffect, useState } from 'react';
import { Box, render, Text, useApp } from 'ink';
import type { LoginBody } from '../../server/protocol.js';
import { Mux1Error } from '../client/errors.js';
import { describeFailure, textsOf } from '../client/language.js';
import { enterAlternateScreen } from './alternate-screen.js';
import { readsAnswered } from './read-marks.js';
import type { SessionStore } from '../client/credentials.js';
import { Busy } from './components/Form.js';
import { BrowserLoginScreen } from './screens/BrowserLoginScreen.js';
import { ChatScreen } from './screens/ChatScreen.js';
import { LoginScreen } from './screens/LoginScreen.js';
import { SignupScreen } from './screens/SignupScreen.js';
import { StartScreen } from './screens/StartScreen.js';
import { VerifyScreen } from './screens/VerifyScreen.js';
import { liveServices, type ChatSession, type TuiServices } from './services.js';
import { inkRenderOptions } from './render-options.js';

const t = textsOf('tui');

type Screen =
  | { name: 'resuming' }
  | { name: 'start'; notice?: string }
  | { name: 'login'; notice?: string }
  | { name: 'browser-login' }
  | { name: 'ssh-login' }
  | { name: 'signup' }
  | { name: 'verify'; email?: string; intro?: string }
  /** `notice`: said once in the chat, e.g. that the session could not be saved. */
  | { name: 'chat'; session: ChatSession; notice?: string };

/** The whole TUI: a start menu, the account forms, and the chat once signed in. */
export function App({ services, storedToken }: { services: TuiServices; storedToken?: string }) {
  const { exit } = useApp();
  const [screen, setScreen] = useState<Screen>(storedToken ? { name: 'resuming' } : { name: 'start' });
  const start = (notice?: string) => setScreen({ name: 'start', notice });
  // Whether to offer "Log in with SSH key": an agent that holds a key a server accepts.
  const [sshAgent, setSshAgent] = useState(false);
  useEffect(() => {
    let live = true;
    services.sshAgent
      ?.keys()
      .then((n) => live && setSshAgent(n > 0))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [services]);

  // The session is over: the credential file goes too, and if it cannot, the person is told.
  const forget = (why: string) =>
    services.forgetSession().then(
      () => start(why),
      (err: unknown) =>
        start(t('app.sessionNotRemoved', { why, error: describeFailure(Mux1Error.from(err)) })),
    );

  const loggedIn = async (login: LoginBody) => {
    const notice = await services.saveSession(login).then(
      () => undefined,
      (err: unknown) => t('app.sessionNotSaved', { error: describeFailure(Mux1Error.from(err)) }),
    );
    setScreen({ name: 'chat', session: { token: login.token, user: login.user }, notice });
  };

  // Stored credentials that still work go straight to the chat.
  useEffect(() => {
    if (!storedToken) return;
    let live = true;
    services
      .rest(storedToken)
      .me()
      .then(({ user }) => live && setScreen({ name: 'chat', session: { token: storedToken, user } }))
      .catch((err: unknown) => {
        if (!live) return;
        const failure = Mux1Error.from(err);
        if (failure.code === 'unauthorized') void forget(t('app.sessionEnded'));
        else start(describeFailure(failure));
      });
    return () => {
      live = false;
    };
  }, [services, storedToken]);

  let body;
  switch (screen.name) {
    case 'resuming':
      body = <Busy label={t('app.resuming')} />;
      break;
    case 'start':
      body = (
        <StartScreen
          serverUrl={services.serverUrl}
          notice={screen.notice}
          sshAgent={sshAgent}
          onChoose={(c) => (c === 'quit' ? exit() : setScreen({ name: c } as Screen))}
        />
      );
      break;
    case 'ssh-login':
    case 'login':
      body = (
        <LoginScreen
          key={screen.name}
          withSshKey={screen.name === 'ssh-login'}
          services={services}
          notice={'notice' in screen ? screen.notice : undefined}
          onBack={() => start()}
          onNeedsVerification={(email) => setScreen({ name: 'verify', email, intro: t('app.verifyFirst') })}
          onLoggedIn={(login) => void loggedIn(login)}
        />
      );
      break;
    case 'browser-login':
      body = (
        <BrowserLoginScreen
          services={services}
          onBack={() => start()}
          onLoggedIn={(login) => void loggedIn(login)}
          wait={services.deviceWait}
        />
      );
      break;
    case 'signup':
      body = (
        <SignupScreen
          services={services}
          onBack={() => start()}
          onSignedUp={(email, message) => setScreen({ name: 'verify', email, intro: message })}
        />
      );
      break;
    case 'verify':
      body = (
        <VerifyScreen
          services={services}
          email={screen.email}
          intro={screen.intro}
          onBack={() => start()}
          onVerified={(message) => setScreen({ name: 'login', notice: message })}
        />
      );
      break;
    case 'chat':
      body = (
        <ChatScreen
          services={services}
          session={screen.session}
          notice={screen.notice}
          onLoggedOut={(why) => void forget(why)}
          onQuit={() => exit()}
        />
      );
      break;
  }
  return (
    <Box flexDirection="column">
      {body}
      {screen.name === 'resuming' ? <Text dimColor> {services.serverUrl}</Text> : null}
    </Box>
  );
}

/** Renders the app until the person quits; Ctrl+C quits too (Ink's default). */
export async function runTui(options: {
  /** The server as the user named it: shown, and the key of the credential file. */
  server: string;
  /** Where to connect: the same URL, or a local tunnel's with --via. */
  dial: string;
  userAgent: string;
  storedToken?: string;
  /** Where sessions are filed: with --via, under the server behind the tunnel. */
  sessions?: SessionStore;
}): Promise<void> {
  const services = liveServices(options);
  const screen = enterAlternateScreen(process.stdout);
  const instance = render(<App services={services} storedToken={options.storedToken} />, inkRenderOptions);
  try {
    await instance.waitUntilExit();
  } finally {
    // Ink has drawn its last frame: the shell's screen comes back as it was, an error then shown on it.
    instance.cleanup();
    screen.leave();
  }
  // The chat's last read markers are answered first (a second at most): leaving right after a
  // message arrived still marks it read.
  await readsAnswered();
  // Sockets and timers of the chat must not keep the process alive after the app has gone.
  process.exit(0);
}
