import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openDatabase } from '../src/db/open.ts';
import { createStores } from '../src/db/stores.ts';
import { silentLogger } from '../src/log/logger.ts';
import { NcpClient, type NcpClientOptions } from '../src/ncp/client.ts';
import { createConsoleNotifier } from '../src/notify/console.ts';
import { routeEventsToNotifiers } from '../src/notify/fan-out.ts';
import type { DeploymentNotice, Notifier } from '../src/notify/port.ts';
import { createBullmqPoller } from '../src/poller/bullmq.ts';
import type { PollerDriver } from '../src/poller/driver.ts';
import { createPollerEvents } from '../src/poller/events.ts';
import { createInProcessPoller } from '../src/poller/in-process.ts';
import type { PollJobDeps } from '../src/poller/job.ts';
import { memoryOnceGuard } from '../src/poller/once.ts';
import { type DeployRun, type NcpPort, systemClock } from '../src/services/ports.ts';

/**
 * 1,000 deployments in flight, polled against the simulator (in another process) by one worker: polls
 * per second, the worker's CPU and peak RSS, and the delay between a status change in the simulator
 * (known from its clock: a run is `pending` for one phase, `inprogress` for the next, then final) and
 * the notice that reports it. Aim: p99 under one poll interval + 1 s.
 */
const N = Number(process.env.BENCH_POLLER_N ?? 1000);
const INTERVAL_MS = Number(process.env.BENCH_POLL_INTERVAL_MS ?? 10_000);
const PHASE_MS = Number(process.env.BENCH_SIM_PHASE_MS ?? 12_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface SimHandle {
  readonly clientOptions: NcpClientOptions;
  readonly scenario: { projectId: string; stageId: string; scenarioId: string };
  /** Adds one SourceDeploy run per start time; returns their history ids. */
  seed(startedAt: number[]): Promise<string[]>;
  stop(): void;
}

async function startSimProcess(): Promise<SimHandle> {
  const child = fork(new URL('./poller-sim.child.ts', import.meta.url), [String(PHASE_MS)], {
    execArgv: ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
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

const pct = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);

async function run(kind: 'in-process' | 'bullmq'): Promise<void> {
  const sim = await startSimProcess();
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-bench-poller-'));
  const logger = silentLogger();
  const db = openDatabase(join(dir, 'bench.db'), { logger });
  const stores = createStores(db.db);
  const client = new NcpClient(sim.clientOptions);
  const target = sim.scenario;

  // One integration and one record per deployment (the store allows one in flight per repository).
  const records: number[] = [];
  for (let i = 0; i < N; i++) {
    const repo = `app-${String(i).padStart(4, '0')}`;
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
  // Runs start spread over one phase, beginning shortly after the poller does, so every status change
  // (pending -> inprogress -> success) happens while it runs and its moment is known exactly.
  const base = Date.now() + 2000;
  const startedAt = records.map((_, i) => base + Math.floor((i / N) * PHASE_MS));
  const historyIds = await sim.seed(startedAt);
  const runStart = new Map<number, number>();
  records.forEach((id, i) => {
    const start = startedAt[i] ?? base;
    stores.deployments.update(id, { deployHistoryId: historyIds[i] ?? null, startedAt: new Date(start) });
    runStart.set(id, start);
  });

  let polls = 0;
  const ncp: Pick<NcpPort, 'getBuild' | 'getDeployRun'> = {
    getBuild: (p, b) => client.getBuild(p, b),
    getDeployRun: (p, h): Promise<DeployRun> => {
      polls += 1;
      return client.getDeployRun(p, h);
    },
  };
  const delays: number[] = [];
  let finished = 0;
  const measure = async (n: DeploymentNotice) => {
    const start = runStart.get(n.deployment.id);
    if (start === undefined) return;
    // The moment the simulator's clock changed the status the notice reports.
    const changedAt =
      n.ncpStatus === 'inprogress' ? start + PHASE_MS : n.status === 'success' ? start + 2 * PHASE_MS : null;
    if (changedAt !== null) delays.push(Date.now() - changedAt);
  };
  const recorder: Notifier = {
    started: async () => {},
    progress: measure,
    succeeded: async (n) => {
      finished += 1;
      await measure(n);
    },
    failed: async () => {
      finished += 1;
    },
    timedOut: async () => {
      finished += 1;
    },
    canceled: async () => {
      finished += 1;
    },
    verifying: async () => {},
    verified: async () => {},
    verificationFailed: async () => {},
    pinReminder: async () => {},
  };
  const events = createPollerEvents();
  // The console notice is rendered and written too, to a sink, so its cost is in the figures.
  const consoleNotifier = createConsoleNotifier({ out: { isTTY: false, write: () => true } });
  routeEventsToNotifiers(events, [recorder, consoleNotifier], logger);
  const deps: PollJobDeps = {
    store: stores.deployments,
    integrations: stores.integrations,
    ncp,
    continuation: { continueAfterBuild: async () => {} },
    events,
    once: memoryOnceGuard(),
    clock: systemClock,
    limits: {
      intervalMs: INTERVAL_MS,
      deployTimeoutMs: 300_000,
      buildTimeoutMs: 900_000,
      approvalTimeoutMs: 86_400_000,
    },
    log: logger,
  };
  const prefix = `klepaas-bench-${randomBytes(4).toString('hex')}`;
  const driver: PollerDriver =
    kind === 'bullmq'
      ? createBullmqPoller({ redisUrl: REDIS_URL, deps, store: stores.deployments, prefix, concurrency: 64 })
      : createInProcessPoller({ deps, store: stores.deployments, concurrency: 64 });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await driver.start(); // resumes all N records from the database
  while (finished < N) await new Promise((r) => setTimeout(r, 20));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await driver.stop();

  const sorted = [...delays].sort((a, b) => a - b);
  const p50 = pct(sorted, 50);
  const p99 = pct(sorted, 99);
  const aim = INTERVAL_MS + 1000;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rows = stores.deployments.allInFlight().length;
  console.log(
    `poller ${kind}: ${N} deployments, interval ${INTERVAL_MS} ms, sim phase ${PHASE_MS} ms, all done in ${(wallMs / 1000).toFixed(1)} s`,
  );
  console.log(`  polls/s            ${(polls / (wallMs / 1000)).toFixed(0)} (${polls} polls)`);
  console.log(
    `  worker CPU         ${cpuMs.toFixed(0)} ms (${((cpuMs / wallMs) * 100).toFixed(1)}% of one core)`,
  );
  console.log(`  worker peak RSS    ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
  console.log(
    `  change -> notice   p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (aim p99 < ${aim} ms: ${p99 < aim ? 'met' : 'MISSED'}; ${sorted.length} changes)`,
  );
  console.log(`  left in flight     ${rows}`);

  if (kind === 'bullmq') {
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length > 0) await r.del(...keys);
    r.disconnect();
  }
  sim.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

export default async function bench(): Promise<void> {
  await run('in-process');
  await run('bullmq');
}
