import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openDatabase } from '../src/db/open.ts';
import { createStores } from '../src/db/stores.ts';
import { silentLogger } from '../src/log/logger.ts';
import type { NcpClientOptions } from '../src/ncp/client.ts';
import type { WorkerResult, WorkerSetup } from './poller-worker.child.ts';
import { goal, machine, pooled } from './stats.ts';

/**
 * Deployments in flight, polled against the simulator (its own process) by one worker process (or two
 * sharing a BullMQ queue), wired as production wires it. Runs start at shuffled moments over one phase:
 * in queue order every poll would land at the same offset after its run's status change and the delay
 * would look far better than production's. Figures are the worker processes' own: CPU, peak RSS, polls,
 * the delay from each status change in the simulator (known from its clock) to the notice, and whether
 * every change was seen.
 */
const N = Number(process.env.BENCH_POLLER_N ?? 10_000);
const INTERVAL_MS = Number(process.env.BENCH_POLL_INTERVAL_MS ?? 10_000);
const PHASE_MS = Number(process.env.BENCH_SIM_PHASE_MS ?? 12_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Round trip the simulator adds to every call (SIM_LATENCY_MS), and the pool it is measured against. */
const LATENCY_MS = Number(process.env.BENCH_SIM_LATENCY_MS ?? 0);
const CONNECTIONS = Number(process.env.NCP_CONNECTIONS ?? 128);
const strip = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];

interface SimHandle {
  readonly clientOptions: NcpClientOptions;
  readonly scenario: { projectId: string; stageId: string; scenarioId: string };
  seed(startedAt: number[]): Promise<string[]>;
  stop(): void;
}

async function startSimProcess(): Promise<SimHandle> {
  const child = fork(
    new URL('./poller-sim.child.ts', import.meta.url),
    [String(PHASE_MS), String(LATENCY_MS)],
    {
      execArgv: strip,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
    });
  const first = await next<Pick<SimHandle, 'clientOptions' | 'scenario'>>();
  return {
    ...first,
    async seed(startedAt) {
      const reply = next<{ historyIds: string[] }>();
      child.send({ seed: { startedAt } });
      return (await reply).historyIds;
    },
    stop: () => child.send('stop'),
  };
}

interface Worker {
  finished: number;
  readonly ready: Promise<void>;
  go(starts: [number, number][]): void;
  readonly started: Promise<void>;
  result(): Promise<WorkerResult>;
}

function startWorker(setup: WorkerSetup): Worker {
  const child = fork(new URL('./poller-worker.child.ts', import.meta.url), [], {
    execArgv: strip,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let markStarted: () => void = () => {};
  let markReady: () => void = () => {};
  let gotResult: (r: WorkerResult) => void = () => {};
  const resultP = new Promise<WorkerResult>((resolve, reject) => {
    gotResult = resolve;
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
  const w: Worker = {
    finished: 0,
    ready: new Promise<void>((resolve) => {
      markReady = resolve;
    }),
    go: (starts) => child.send({ starts }),
    started: new Promise<void>((resolve) => {
      markStarted = resolve;
    }),
    result() {
      child.send('stop');
      return resultP;
    },
  };
  child.on(
    'message',
    (m: { finished?: number; ready?: boolean; started?: boolean; result?: WorkerResult }) => {
      if (m.ready) markReady();
      if (m.finished !== undefined) w.finished = m.finished;
      if (m.started) markStarted();
      if (m.result) gotResult(m.result);
    },
  );
  child.send(setup);
  return w;
}

/** Fisher-Yates over the start offsets, so start order is not record order. */
function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => Math.floor((i / n) * PHASE_MS));
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}

async function run(
  kind: 'in-process' | 'bullmq',
  workers: number,
): Promise<{ totalCpuMs: number; worstCpu: number }> {
  const sim = await startSimProcess();
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-bench-poller-'));
  const dbPath = join(dir, 'bench.db');
  const logger = silentLogger();
  const db = openDatabase(dbPath, { logger });
  const stores = createStores(db.db);
  const target = sim.scenario;
  const records: number[] = [];
  db.sqlite.transaction(() => {
    for (let i = 0; i < N; i++) {
      const repo = `app-${String(i).padStart(5, '0')}`;
      stores.integrations.upsert({
        owner: 'bench',
        repo,
        buildProjectId: '2011',
        deployProjectId: target.projectId,
        deployStageId: target.stageId,
        deployScenarioId: target.scenarioId,
      });
      const d = stores.deployments.create({
        owner: 'bench',
        repo,
        commitSha: '1234567890abcdef1234567890abcdef12345678',
        commitMessage: null,
        ref: null,
        operation: 'rollback',
        rollbackFromId: null,
        status: 'deploying',
        image: 'bench/app',
        imageTag: '1234567',
        requestKey: null,
        requestedBy: 'bench',
        requestedVia: 'cli',
        lang: 'en',
        slackChannel: null,
        slackThreadTs: null,
      });
      records.push(d.id);
    }
  })();
  const prefix = `klepaas-bench-${randomBytes(4).toString('hex')}`;
  const setup: WorkerSetup = {
    kind,
    dbPath,
    clientOptions: sim.clientOptions,
    intervalMs: INTERVAL_MS,
    phaseMs: PHASE_MS,
    redisUrl: REDIS_URL,
    prefix,
    connections: CONNECTIONS,
  };
  // Workers load first (module loading is not what is measured), then the runs are seeded to begin
  // shortly after they start polling, so every status change happens while they poll.
  const ws = Array.from({ length: workers }, () => startWorker(setup));
  await Promise.all(ws.map((w) => w.ready));
  const base = Date.now() + 2000;
  const offsets = shuffled(N);
  const startedAt = offsets.map((o) => base + o);
  const historyIds = await sim.seed(startedAt);
  db.sqlite.transaction(() => {
    records.forEach((id, i) => {
      stores.deployments.update(id, {
        deployHistoryId: historyIds[i] ?? null,
        startedAt: new Date(startedAt[i] ?? base),
      });
    });
  })();
  db.close();
  const starts = records.map((id, i): [number, number] => [id, startedAt[i] ?? base]);
  for (const w of ws) w.go(starts);
  await Promise.all(ws.map((w) => w.started));
  const t0 = performance.now();
  const deadline = t0 + 5 * PHASE_MS + 10 * INTERVAL_MS + 60_000;
  while (ws.reduce((a, w) => a + w.finished, 0) < N && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const results = await Promise.all(ws.map((w) => w.result()));

  const after = openDatabase(dbPath, { logger });
  const left = createStores(after.db).deployments.allInFlight().length;
  after.close();
  if (kind === 'bullmq') {
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length > 0) await r.del(...keys);
    r.disconnect();
  }
  sim.stop();
  rmSync(dir, { recursive: true, force: true });

  const d = pooled(results.map((r) => r.delays));
  const polls = results.reduce((a, r) => a + r.polls, 0);
  const changes = results.reduce((a, r) => a + r.changes, 0);
  const finished = results.reduce((a, r) => a + r.finished, 0);
  const wallMs = Math.max(...results.map((r) => r.wallMs));
  const label = `${kind}${workers > 1 ? ` x${workers}` : ''}`;
  console.log(
    `poller ${label}: ${N} in flight, interval ${INTERVAL_MS} ms, phase ${PHASE_MS} ms, NCP latency ${LATENCY_MS} ms, ${CONNECTIONS} connections, shuffled starts, ${finished}/${N} finished in ${(wallMs / 1000).toFixed(1)} s  [${machine()}]`,
  );
  for (const [i, r] of results.entries()) {
    console.log(
      `  worker ${i + 1}: CPU ${r.cpuMs.toFixed(0)} ms = ${((r.cpuMs / r.wallMs) * 100).toFixed(1)} % of one core, ${((r.cpuMs / Math.max(1, r.polls)) * 1000).toFixed(0)} µs per poll, ${r.polls} polls, RSS rest ${r.restRssMb.toFixed(0)} MB peak ${r.peakRssMb.toFixed(0)} MB`,
    );
  }
  console.log(
    `  polls/s ${(polls / (wallMs / 1000)).toFixed(0)}, ${(polls / N).toFixed(2)} polls per deployment; change -> notice p50 ${d.p50.toFixed(0)} ms p99 ${d.p99.toFixed(0)} ms max ${d.max.toFixed(0)} ms; ${changes}/${2 * N} changes seen; ${left} left in flight  [${machine()}]`,
  );
  const worstCpu = Math.max(...results.map((r) => (r.cpuMs / r.wallMs) * 100));
  const worstRss = Math.max(...results.map((r) => r.peakRssMb));
  console.log(goal(`${label} worker CPU (worst worker)`, worstCpu, 25, '% of a core', 1));
  console.log(goal(`${label} worker peak RSS (worst worker)`, worstRss, 150, 'MB', 0));
  console.log(goal(`${label} change -> notice p99`, d.p99, INTERVAL_MS + 1000, 'ms', 0));
  console.log(goal(`${label} state changes not seen`, 2 * N - changes, 0, 'changes', 0));
  return { totalCpuMs: results.reduce((a, r) => a + r.cpuMs, 0), worstCpu };
}

export default async function bench(): Promise<void> {
  await run('in-process', 1);
  // BENCH_POLLER_ONLY=in-process: the one-worker figures alone, for a quick before/after.
  if (process.env.BENCH_POLLER_ONLY === 'in-process') return;
  const one = await run('bullmq', 1);
  const two = await run('bullmq', 2);
  // Linear: the same load over two workers costs no more in total, so each carries about half.
  console.log(goal('bullmq 2 workers: total CPU vs 1 worker', two.totalCpuMs / one.totalCpuMs, 1.2, 'x'));
  console.log(goal('bullmq 2 workers: worst worker CPU vs 1 worker', two.worstCpu / one.worstCpu, 0.6, 'x'));
}
