/**
 * Figure 5, chat fan-out: one message to every socket in a room (1,000, 5,000 or 10,000),
 * p50/p99 delivery latency and messages lost, mux1 beside a bare Socket.IO broadcast server
 * measured in the same run, so the ratio says what mux1's work (auth, validation, limits,
 * storing every message before it is sent) costs. Then messages stored and delivered per second:
 * every socket sends a burst of 10 into a room of 10, until the last delivery.
 * Targets: p99 < 100 ms at 1,000, < 500 ms at 5,000 and < 1 s at 10,000; bare p99 / mux1 p99
 * >= 0.7; 0 lost; messages/s >= 0.9 of bare Socket.IO's.
 *
 *   node --import tsx bench/chat-fanout.ts [--clients 1000] [--procs 1] [--rounds 50] [--repeat 2]
 *
 * The servers run in this process; the clients in `--procs` child processes (default: one per
 * 2,500 sockets). Bare and mux1 runs alternate, `--repeat` times; each figure is the median of
 * its runs. Everything stays on 127.0.0.1; counts are capped and every wait has a deadline.
 */
import { bareSocketChat } from './lib/bare.js';
import { seedUsers, startMux1, tokensFor } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { forkSocketClients } from './lib/socket-clients.js';
import { runBench } from './lib/load-average.js';
import { intFlag, median, percentile, round, sleep, sum } from './lib/stats.js';
import { GROUP } from './load/sockets.js';

/** Fan-out rounds run first and not counted, so neither side is measured while still warming up. */
const WARMUP_ROUNDS = 5;
const ROUND_DEADLINE_MS = 10_000;
const RATIO_TARGET = 0.7;
const MESSAGES_PER_S_TARGET = 0.9;
/** Sockets that send in the messages/s phase, at most: beyond it a burst outlasts its deadlines. */
const THROUGHPUT_SOCKETS = 1000;

interface Run {
  connectS: number;
  p50: number;
  p99: number;
  lost: number;
  messagesPerS: number;
  refused: number;
}

async function measure(url: string, tokens: string[], sockets: number, procs: number, rounds: number) {
  const clients = forkSocketClients(procs);
  try {
    const connectS = await clients.connect(url, tokens, sockets);
    await sleep(500); // let presence settle
    let lost = 0;
    for (let r = 0; r < WARMUP_ROUNDS + rounds; r++) {
      const arrived = clients.procs.map((p) =>
        p.call<number>('waitRound', { round: r, timeoutMs: ROUND_DEADLINE_MS }, ROUND_DEADLINE_MS + 5000),
      );
      await clients.procs[0]!.call('send', { round: r });
      const missing = sum(await Promise.all(arrived));
      if (r >= WARMUP_ROUNDS) lost += missing;
      await sleep(20);
    }
    const latencies = (
      await Promise.all(clients.procs.map((p) => p.call<number[]>('latencies', { from: WARMUP_ROUNDS })))
    )
      .flat()
      .sort((a, b) => a - b);
    // Printed before the messages/s phase, so a burst that misses its deadline on a busy machine
    // does not take the fan-out figures with it.
    console.log(
      `fan-out run to ${sockets} sockets: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 0.99).toFixed(1)} ms, lost ${lost}, connect ${connectS.toFixed(1)} s`,
    );
    const bursts = await Promise.all(
      clients.procs.map((p, i) =>
        p.call<{ accepted: number; refused: number; seconds: number }>(
          'throughput',
          { roomPrefix: `t${i}-`, limit: Math.ceil(THROUGHPUT_SOCKETS / clients.procs.length) },
          90_000,
        ),
      ),
    );
    await Promise.all(clients.procs.map((p) => p.call('disconnect')));
    return {
      connectS,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      lost,
      messagesPerS: sum(bursts.map((b) => b.accepted)) / Math.max(...bursts.map((b) => b.seconds)),
      refused: sum(bursts.map((b) => b.refused)),
    } satisfies Run;
  } finally {
    clients.kill();
  }
}

const medianOf = (runs: Run[], pick: (r: Run) => number) => median(runs.map(pick));

async function main(): Promise<void> {
  const sockets = intFlag('clients', 1000, 10_000);
  const procs = intFlag('procs', Math.ceil(sockets / 2500), 4);
  const rounds = intFlag('rounds', 50, 500);
  const repeat = intFlag('repeat', 2, 9);
  const p99Target = sockets > 5000 ? 1000 : sockets > 1000 ? 500 : 100;

  const bareRuns: Run[] = [];
  const muxRuns: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    const bare = await bareSocketChat();
    try {
      console.log('bare Socket.IO:');
      bareRuns.push(await measure(bare.url, [], sockets, procs, rounds));
    } finally {
      await bare.close();
    }
    // A hundred people with several sockets each: presence stays per user, as in real use.
    const mux1 = await startMux1({ logN: 10 });
    try {
      const tokens = await tokensFor(mux1.server, await seedUsers(mux1.server, Math.min(100, sockets)));
      console.log('mux1:');
      muxRuns.push(await measure(mux1.url, tokens, sockets, procs, rounds));
    } finally {
      await mux1.close();
    }
  }

  const p50 = medianOf(muxRuns, (r) => r.p50);
  const p99 = medianOf(muxRuns, (r) => r.p99);
  const bareP50 = medianOf(bareRuns, (r) => r.p50);
  const bareP99 = medianOf(bareRuns, (r) => r.p99);
  const lost = Math.max(...muxRuns.map((r) => r.lost));
  const ratio = bareP99 / p99;
  const n = sockets.toLocaleString('en-US');
  const detail = {
    rounds,
    repeat,
    clientProcesses: procs,
    lostBare: Math.max(...bareRuns.map((r) => r.lost)),
    connectS: {
      mux1: round(medianOf(muxRuns, (r) => r.connectS)),
      bare: round(medianOf(bareRuns, (r) => r.connectS)),
    },
    messagesPerSInRoomsOf: GROUP,
    messagesPerS: {
      mux1: round(
        medianOf(muxRuns, (r) => r.messagesPerS),
        0,
      ),
      bare: round(
        medianOf(bareRuns, (r) => r.messagesPerS),
        0,
      ),
    },
    refusedInBurst: Math.max(...muxRuns.map((r) => r.refused)),
    p99Runs: { mux1: muxRuns.map((r) => round(r.p99, 1)), bare: bareRuns.map((r) => round(r.p99, 1)) },
  };
  const fanoutHeld = p99 < p99Target && ratio >= RATIO_TARGET && lost === 0;
  const mps = detail.messagesPerS.mux1;
  const bareMps = detail.messagesPerS.bare;
  const mpsRatio = mps / bareMps;
  const mpsHeld = mpsRatio >= MESSAGES_PER_S_TARGET;
  console.log(
    `fan-out to ${n} sockets: mux1 p50 ${p50.toFixed(1)} / p99 ${p99.toFixed(1)} ms, bare p50 ` +
      `${bareP50.toFixed(1)} / p99 ${bareP99.toFixed(1)} ms, lost ${lost} (target p99 < ${p99Target} ms, ` +
      `bare/mux1 >= ${RATIO_TARGET}, 0 lost: ${fanoutHeld ? 'held' : 'missed'}); ${JSON.stringify(detail)}`,
  );
  console.log(
    `messages stored and delivered, rooms of ${GROUP}: mux1 ${mps} msg/s, bare ${bareMps} msg/s, ratio ` +
      `${mpsRatio.toFixed(2)} (target >= ${MESSAGES_PER_S_TARGET}: ${mpsHeld ? 'held' : 'missed'})`,
  );
  emit({
    id: `fanout-${sockets}-p50`,
    figure: 5,
    name: `Chat fan-out to ${n} sockets, p50`,
    unit: 'ms',
    value: round(p50, 1),
    baseline: round(bareP50, 1),
    baselineName: 'bare socket.io broadcast',
    ratio: round(bareP50 / p50),
    ratioOf: 'bare/mux1',
    target: '-',
    pass: null,
  });
  emit({
    id: `fanout-${sockets}-p99`,
    figure: 5,
    name: `Chat fan-out to ${n} sockets, p99 (${lost} lost)`,
    unit: 'ms',
    value: round(p99, 1),
    baseline: round(bareP99, 1),
    baselineName: 'bare socket.io broadcast',
    ratio: round(ratio),
    ratioOf: 'bare/mux1',
    target: `< ${p99Target} ms, ratio >= ${RATIO_TARGET}, 0 lost`,
    pass: fanoutHeld,
    detail,
  });
  emit({
    id: `chat-messages-per-s-${sockets}`,
    figure: 5,
    name: `Messages stored and delivered per second, rooms of ${GROUP}, ${n} sockets`,
    unit: 'msg/s',
    value: mps,
    baseline: bareMps,
    baselineName: 'bare socket.io broadcast',
    ratio: round(mpsRatio),
    ratioOf: 'mux1/bare',
    target: `ratio >= ${MESSAGES_PER_S_TARGET}`,
    pass: mpsHeld,
    detail: {
      runs: muxRuns.map((r) => round(r.messagesPerS, 0)),
      bareRuns: bareRuns.map((r) => round(r.messagesPerS, 0)),
      refusedInBurst: detail.refusedInBurst,
    },
  });
}

runBench('chat-fanout', main);
