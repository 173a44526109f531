import { render } from 'ink';
import type { SessionStore } from '../client/credentials.js';
import { App } from './App.js';
import { liveServices } from './live-services.js';

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
  const instance = render(<App services={services} storedToken={options.storedToken} />);
  await instance.waitUntilExit();
  // Sockets and timers of the chat must not keep the process alive after the app has gone.
  process.exit(0);
}
