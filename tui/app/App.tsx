import { useEffect, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import { StartScreen } from './screens/StartScreen.js';
import { LoginScreen } from './screens/LoginScreen.js';
import { SignupScreen } from './screens/SignupScreen.js';
import { VerifyScreen } from './screens/VerifyScreen.js';
import { ChatScreen, type ChatSession } from './screens/ChatScreen.js';
import { Busy } from './components/Spinner.js';
import { asFailure, type TuiServices } from './services.js';

type Screen =
  | { name: 'resuming' }
  | { name: 'start'; notice?: string }
  | { name: 'login'; notice?: string }
  | { name: 'signup' }
  | { name: 'verify'; email?: string; intro?: string }
  | { name: 'chat'; session: ChatSession };

/** The whole TUI: a start menu, the account forms, and the chat once signed in. */
export function App({ services, storedToken }: { services: TuiServices; storedToken?: string }) {
  const { exit } = useApp();
  const [screen, setScreen] = useState<Screen>(storedToken ? { name: 'resuming' } : { name: 'start' });

  // Stored credentials that still work go straight to the chat.
  useEffect(() => {
    if (!storedToken) return;
    let live = true;
    services.rest
      .me(storedToken)
      .then(({ user }) => live && setScreen({ name: 'chat', session: { token: storedToken, user } }))
      .catch((err) => {
        if (!live) return;
        const f = asFailure(err);
        if (f.code === 'unauthorized') void services.forgetSession().catch(() => {});
        setScreen({
          name: 'start',
          notice: f.code === 'unauthorized' ? 'Your session ended; log in again.' : f.error,
        });
      });
    return () => {
      live = false;
    };
  }, [services, storedToken]);

  const start = (notice?: string) => setScreen({ name: 'start', notice });
  let body;
  switch (screen.name) {
    case 'resuming':
      body = <Busy label="Resuming your session…" />;
      break;
    case 'start':
      body = (
        <StartScreen
          serverUrl={services.serverUrl}
          notice={screen.notice}
          onChoose={(c) => (c === 'quit' ? exit() : setScreen({ name: c } as Screen))}
        />
      );
      break;
    case 'login':
      body = (
        <LoginScreen
          services={services}
          notice={screen.notice}
          onBack={() => start()}
          onNeedsVerification={(email) =>
            setScreen({ name: 'verify', email, intro: 'Verify your email before logging in.' })
          }
          onLoggedIn={(r) => {
            void services.saveSession(r).catch(() => {});
            setScreen({ name: 'chat', session: { token: r.token, user: r.user } });
          }}
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
          onLoggedOut={(why) => {
            void services.forgetSession().catch(() => {});
            start(why);
          }}
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
