import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A small private JSON file the TUI keeps beside the credentials (the unsent messages, the sent
 * lines): written whole to a temporary file and renamed over the old one, so a crash or a second
 * TUI never leaves half a file, and readable by its owner only (it holds what they wrote).
 */
export interface JsonFile<T> {
  readonly path: string;
  /**
   * What the file holds, or `empty` when there is none. A file that cannot be read as `T` is moved
   * aside (`NAME.corrupt-TIME`) and `warning` says so; it is never a reason not to start.
   */
  read(): Promise<{ value: T; warning?: string }>;
  /**
   * Writes are queued, so the last one asked for is the one that stays; one asked for while
   * another waits its turn takes that one's place (both resolve when it is written), so a burst
   * of changes (lines recalled, messages queued) costs two writes, not one each.
   */
  write(value: T): Promise<void>;
}

export function jsonFile<T>(path: string, empty: T, valid: (data: unknown) => data is T): JsonFile<T> {
  let queue: Promise<void> = Promise.resolve();
  /** The write waiting for the one in progress, if any: a newer value replaces its own. */
  let waiting: { value: T; written: Promise<void> } | undefined;
  return {
    path,
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: empty };
        return { value: empty, warning: `could not read ${path} (${(err as Error).message})` };
      }
      try {
        const data: unknown = JSON.parse(text);
        if (valid(data)) return { value: data };
      } catch {
        // Not JSON at all: set aside below, like JSON of the wrong shape.
      }
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside).catch(() => {});
      return { value: empty, warning: `${path} was damaged; it was moved to ${aside} and started afresh` };
    },
    write(value) {
      if (waiting) {
        waiting.value = value;
        return waiting.written;
      }
      const next = { value, written: Promise.resolve() };
      next.written = queue.then(() => {
        waiting = undefined;
        return writeAtomically(path, JSON.stringify(next.value) + '\n');
      });
      waiting = next;
      queue = next.written.catch(() => {});
      return next.written;
    },
  };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    // The mode above is filtered by the umask; say it again so 0600 holds whatever the umask is.
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
