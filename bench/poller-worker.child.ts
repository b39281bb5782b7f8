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
import { eventLogOnceGuard } from '../src/poller/once.ts';
import { type DeployRun, type NcpPort, systemClock } from '../src/services/ports.ts';

/**
 * One poller worker for the poller benchmark, in its own process so its CPU and RSS are the worker's
 * alone (the simulator and the seeding run elsewhere). Wired as src/runtime/app.ts wires production: the
 * driver's own concurrency, notices claimed in the database, rescan on for the in-process driver, the
 * console notice rendered to a sink. The change moments are known from each run's start (sent by the
 * benchmark) and the simulator's phase length.
 */
export interface WorkerSetup {
  readonly kind: 'in-process' | 'bullmq';
  readonly dbPath: string;
  readonly clientOptions: NcpClientOptions;
  readonly intervalMs: number;
  readonly phaseMs: number;
  readonly redisUrl: string;
  readonly prefix: string;
  /** NCP_CONNECTIONS: sockets per host and ticks at once, as src/runtime/app.ts sizes both. */
  readonly connections: number;
}

export interface WorkerResult {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly restRssMb: number;
  readonly polls: number;
  readonly delays: number[];
  readonly changes: number;
  readonly finished: number;
}

const setup = await new Promise<WorkerSetup>((resolve) =>
  process.once('message', (m) => resolve(m as WorkerSetup)),
);
const logger = silentLogger();
const db = openDatabase(setup.dbPath, { logger });
const stores = createStores(db.db);
const client = new NcpClient({ ...setup.clientOptions, connections: setup.connections });
let polls = 0;
const ncp: Pick<NcpPort, 'getBuild' | 'getDeployRun'> = {
  getBuild: (p, b) => client.getBuild(p, b),
  getDeployRun: (p, h): Promise<DeployRun> => {
    polls += 1;
    return client.getDeployRun(p, h);
  },
};
const delays: number[] = [];
let changes = 0;
let finished = 0;
// When each run began in the simulator (the record's startedAt is the poller's to rewrite).
const runStart = new Map<number, number>();
const measure = async (n: DeploymentNotice) => {
  const start = runStart.get(n.deployment.id);
  if (start === undefined) return;
  // pending for one phase, approved, inprogress for two, success (bench/poller-sim.child.ts).
  const changedAt =
    n.status === 'success'
      ? start + 3 * setup.phaseMs
      : n.ncpStatus === 'inprogress'
        ? start + setup.phaseMs
        : null;
  if (changedAt === null) return;
  changes += 1;
  delays.push(Date.now() - changedAt);
};
const done = async () => {
  finished += 1;
};
const recorder: Notifier = {
  started: async () => {},
  progress: measure,
  succeeded: async (n) => {
    await measure(n);
    await done();
  },
  failed: done,
  timedOut: done,
  canceled: done,
  verifying: async () => {},
  verified: async () => {},
  verificationFailed: async () => {},
  pinReminder: async () => {},
};
const events = createPollerEvents();
routeEventsToNotifiers(
  events,
  [recorder, createConsoleNotifier({ out: { isTTY: false, write: () => true } })],
  logger,
);
const once = eventLogOnceGuard(stores.events, systemClock);
const deps: PollJobDeps = {
  store: stores.deployments,
  integrations: stores.integrations,
  ncp,
  continuation: { continueAfterBuild: async () => {} },
  events,
  once,
  clock: systemClock,
  limits: {
    intervalMs: setup.intervalMs,
    deployTimeoutMs: 300_000,
    buildTimeoutMs: 900_000,
    approvalTimeoutMs: 86_400_000,
  },
  log: logger,
};
const driver: PollerDriver =
  setup.kind === 'bullmq'
    ? createBullmqPoller({
        redisUrl: setup.redisUrl,
        deps,
        store: stores.deployments,
        prefix: setup.prefix,
        concurrency: setup.connections,
      })
    : createInProcessPoller({
        deps,
        store: stores.deployments,
        rescanMs: setup.intervalMs,
        concurrency: setup.connections,
      });

const restRssMb = process.memoryUsage().rss / 1024 / 1024;
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const reporter = setInterval(() => process.send?.({ finished }), 200);
// Ready once loaded; polling begins when the benchmark has seeded the runs.
process.send?.({ ready: true });
const go = await new Promise<{ starts: [number, number][] }>((resolve) =>
  process.once('message', (m) => resolve(m as { starts: [number, number][] })),
);
for (const [id, start] of go.starts) runStart.set(id, start);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await driver.start();
process.send?.({ started: true });

process.on('message', async (m) => {
  if (m !== 'stop') return;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  clearInterval(reporter);
  await driver.stop();
  await client.close();
  db.close();
  const result: WorkerResult = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    peakRssMb: peakRss / 1024 / 1024,
    restRssMb,
    polls,
    delays,
    changes,
    finished,
  };
  process.send?.({ result }, () => process.exit(0));
});
