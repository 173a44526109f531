import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonFile } from '../../../tui/app/local/json-file.js';
import { isOutgoingList, Outbox, type Outgoing } from '../../../tui/app/local/outbox.js';
import { isRecallData, Recall, RECALL_MAX, type RecallData } from '../../../tui/app/local/recall.js';
import { eventually } from '../../helpers/wait.js';

/** The files the chat keeps beside the credentials, on a real disk. */
describe('TUI: the outbox and recall files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-local-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const outboxAt = (path: string, send: (o: Outgoing) => Promise<number>, warnings: string[] = []) =>
    new Outbox(send, jsonFile<Outgoing[]>(path, [], isOutgoingList), (w) => warnings.push(w));
  const never = () => new Promise<number>(() => {});

  it('keeps what the file held when a message is written before the file was read', async () => {
    const path = join(dir, 'outbox.json');
    const old: Outgoing = { client_id: 'old-1', room: 'lobby', text: 'from before', queued_at: 1 };
    writeFileSync(path, JSON.stringify([old]));
    const outbox = outboxAt(path, never);
    outbox.add('lobby', 'typed at once');
    await new Promise((r) => setTimeout(r, 50));
    await outbox.load();
    expect(outbox.list().map((o) => o.text)).to.deep.equal(['from before', 'typed at once']);
    await eventually(() => readFileSync(path, 'utf8').includes('typed at once'), {
      what: 'the message on disk',
    });
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Outgoing[];
    expect(saved.map((o) => o.text)).to.deep.equal(['from before', 'typed at once']);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    outbox.close();
  });

  it('sends in order, one at a time, with the client_id chosen once, and keeps what got no answer', async () => {
    const path = join(dir, 'outbox.json');
    const tries: string[] = [];
    let up = false;
    const outbox = outboxAt(path, async (o) => {
      tries.push(`${o.text}:${o.client_id}`);
      if (!up) throw Object.assign(new Error('no answer'), { code: 'timeout' });
      return 1;
    });
    await outbox.load();
    try {
      const a = outbox.add('lobby', 'a');
      await outbox.flush();
      outbox.add('lobby', 'b');
      await outbox.flush();
      // While there is no answer, only the first message is tried, always with its first client_id.
      expect(new Set(tries)).to.deep.equal(new Set([`a:${a.client_id}`]));
      expect(outbox.list()).to.have.length(2);
      up = true;
      tries.length = 0;
      await outbox.flush();
      expect(tries.map((t) => t.split(':')[0])).to.deep.equal(['a', 'b']);
      expect(tries[0]).to.equal(`a:${a.client_id}`);
      expect(outbox.list()).to.deep.equal([]);
    } finally {
      outbox.close();
    }
  });

  it('holds a refused message for /retry or /drop and sends the next one meanwhile', async () => {
    const warnings: string[] = [];
    const outbox = outboxAt(
      join(dir, 'outbox.json'),
      async (o) => {
        if (o.text === 'bad') throw Object.assign(new Error('too many messages'), { code: 'rate_limited' });
        return 1;
      },
      warnings,
    );
    await outbox.load();
    outbox.add('lobby', 'bad');
    outbox.add('lobby', 'good');
    await outbox.flush();
    expect(outbox.list().map((o) => [o.text, o.refused])).to.deep.equal([['bad', 'too many messages']]);
    expect(warnings.join()).to.include('too many messages');
    expect(outbox.retry()).to.equal(1);
    await outbox.flush();
    expect(outbox.drop()).to.equal(1);
    expect(outbox.list()).to.deep.equal([]);
    outbox.close();
  });

  it('sets aside files of the wrong shape, hostile or huge, and starts empty', async () => {
    const cases = [
      'not json',
      '{"lobby": "not a list"}',
      JSON.stringify([{ client_id: 1, room: 'lobby', text: 'x', queued_at: 1 }]),
      JSON.stringify([{ client_id: 'c', room: 'lobby', text: 'x', queued_at: 1, refused: 5 }]),
      '[' + '['.repeat(100_000),
    ];
    for (const [i, text] of cases.entries()) {
      const path = join(dir, `outbox-${i}.json`);
      writeFileSync(path, text);
      const warnings: string[] = [];
      const outbox = outboxAt(path, never, warnings);
      await outbox.load();
      expect(outbox.list(), text.slice(0, 40)).to.deep.equal([]);
      expect(warnings.join(), text.slice(0, 40)).to.include('was damaged');
      outbox.close();
    }
    expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).to.have.length(cases.length);
  });

  it('writes a burst of changes as the last of them, in two writes at most, all answered', async () => {
    const file = jsonFile<number[]>(join(dir, 'burst.json'), [], (d): d is number[] => Array.isArray(d));
    const writes = Array.from({ length: 50 }, (_, i) => file.write([i]));
    expect(new Set(writes).size).to.be.at.most(2);
    await Promise.all(writes);
    expect(JSON.parse(readFileSync(join(dir, 'burst.json'), 'utf8'))).to.deep.equal([49]);
    expect(readdirSync(dir)).to.deep.equal(['burst.json']);
    // One asked for after they are written is written too.
    await file.write([50]);
    expect(JSON.parse(readFileSync(join(dir, 'burst.json'), 'utf8'))).to.deep.equal([50]);
  });

  it('recalls the last lines per room, a repeated line once, and keeps the limit', async () => {
    const path = join(dir, 'recall.json');
    const recall = new Recall(jsonFile<RecallData>(path, {}, isRecallData));
    await recall.load();
    for (let i = 0; i < RECALL_MAX + 20; i++) recall.add('lobby', `line ${i}`);
    recall.add('lobby', `line ${RECALL_MAX + 19}`);
    recall.add('dev', 'elsewhere');
    expect(recall.lines('lobby')).to.have.length(RECALL_MAX);
    expect(recall.lines('lobby').at(-1)).to.equal(`line ${RECALL_MAX + 19}`);
    // Read back once the last line is on disk: the file is only ever replaced whole.
    await eventually(() => existsSync(path) && readFileSync(path, 'utf8').includes('elsewhere'), {
      what: 'the last line on disk',
    });
    const again = new Recall(jsonFile<RecallData>(path, {}, isRecallData));
    await again.load();
    expect(again.lines('lobby')).to.deep.equal(recall.lines('lobby'));
    expect(again.lines('dev')).to.deep.equal(['elsewhere']);
    expect(again.lines('__proto__')).to.deep.equal([]);
  });
});
