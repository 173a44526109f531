import { parentPort, workerData } from 'node:worker_threads';
import { openLongReader, type DatabaseTarget } from './db.js';
import { readPage, type PageAnswer, type PageRequest } from './export-reader.js';

/*
 * The thread of store/export-reader.ts: reads the pages it is asked for, one at a time as they
 * come, on a connection of its own, and hands each back as its JSON text. `close`
 * ends it once its connection is closed.
 */

const port = parentPort!;
const db = openLongReader(workerData as DatabaseTarget);

type Message = { id: number; request: PageRequest } | { close: true };

// Its first word: everything it reads with is loaded.
port.postMessage('started');

port.on('message', (message: Message) => {
  if ('close' in message) {
    void db.destroy().finally(() => port.close());
    return;
  }
  void answer(message.id, message.request);
});

async function answer(id: number, request: PageRequest): Promise<void> {
  let reply: PageAnswer;
  try {
    reply = { id, page: await readPage(db, request) };
    port.postMessage(reply);
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
}
