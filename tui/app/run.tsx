import { render } from 'ink';
import { App } from './App.js';
import { liveServices } from './live-services.js';

/** Renders the app until the person quits; Ctrl+C quits too (Ink's default). */
export async function runTui(options: {
  server: string;
  userAgent: string;
  storedToken?: string;
}): Promise<void> {
  const instance = render(
    <App services={liveServices(options.server, options.userAgent)} storedToken={options.storedToken} />,
  );
  await instance.waitUntilExit();
  // Sockets and timers of the chat must not keep the process alive after the app has gone.
  process.exit(0);
}
