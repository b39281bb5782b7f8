import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openDatabase } from '../../../src/db/open.ts';
import { createStores, type Stores } from '../../../src/db/stores.ts';
import type { Deployment, Requester } from '../../../src/domain/deployment.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import { type DemoSeed, type NcpSimulator, startNcpSimulator } from '../../../src/ncp/simulator/index.ts';
import { createConsoleNotifier } from '../../../src/notify/console.ts';
import { routeEventsToNotifiers } from '../../../src/notify/fan-out.ts';
import type { DeploymentNotice, NoticeKind, Notifier } from '../../../src/notify/port.ts';
import { createBullmqPoller } from '../../../src/poller/bullmq.ts';
import type { PollerDriver } from '../../../src/poller/driver.ts';
import { createPollerEvents } from '../../../src/poller/events.ts';
import { createInProcessPoller } from '../../../src/poller/in-process.ts';
import type { PollJobDeps } from '../../../src/poller/job.ts';
import { eventLogOnceGuard } from '../../../src/poller/once.ts';
import type { PollLimits } from '../../../src/poller/step.ts';
import { seedDemoData } from '../../../src/runtime/seed-demo.ts';
import { createServices, type Services } from '../../../src/runtime/services.ts';
import { systemClock } from '../../../src/services/ports.ts';
import { lookAtApp } from '../../../src/verify/probe.ts';
import { defaultVerifySettings, type VerifySettings } from '../../../src/verify/thresholds.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export type DriverKind = 'in-process' | 'bullmq';

export interface RecordedNotice {
  readonly kind: NoticeKind;
  readonly id: number;
  readonly status: string;
  readonly ncpStatus: string | null;
}

export interface HarnessOptions {
  readonly phaseMs?: number;
  readonly limits?: Partial<PollLimits>;
  /** Verification after success, as the runtime wires it (real HTTP looks at the simulator's apps). */
  readonly verify?: Partial<VerifySettings>;
  /** How long a rollback's pin lasts. */
  readonly pinTtlMs?: number;
}

export interface Harness {
  readonly stores: Stores;
  readonly sim: NcpSimulator;
  readonly seed: DemoSeed;
  readonly services: Services;
  readonly notices: RecordedNotice[];
  /** What the console notifier printed (not a terminal: one plain line per change). */
  readonly lines: string[];
  /** A new driver on the same database, Redis prefix and simulator: another process, or a restart. */
  makeDriver(opts?: { readonly rescanMs?: number }): PollerDriver;
  /** The driver the services hand new deployments to. */
  use(driver: PollerDriver): void;
  rollback(stepsBack: number): Promise<Deployment>;
  record(id: number): Deployment;
  count(id: number, kind: NoticeKind): number;
  close(): Promise<void>;
}

/** Fails fast with a clear message: a poller test never passes by skipping its Redis half. */
export async function requireRedis(): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new Error(`Redis is required at ${REDIS_URL} for the poller tests: ${String(err)}`);
  } finally {
    r.disconnect();
  }
}

const requester: Requester = { via: 'console', user: 'minji', lang: 'en' };

export async function createHarness(kind: DriverKind, opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-poller-'));
  const logger = silentLogger();
  const opened = openDatabase(join(dir, 'klepaas.db'), { logger });
  const stores = createStores(opened.db);
  const sim = await startNcpSimulator({ phaseMs: opts.phaseMs ?? 300 });
  const seed = await sim.seedDemo();
  seedDemoData(stores, seed);
  // No client retries: every injected 500 reaches the poller as a failed poll, which is what is tested.
  const ncp = new NcpClient({ ...sim.clientOptions(2000), retry: { retries: 0 } });
  const limits: PollLimits = {
    intervalMs: 50,
    deployTimeoutMs: 10_000,
    buildTimeoutMs: 10_000,
    approvalTimeoutMs: 20_000,
    ...opts.limits,
  };

  const notices: RecordedNotice[] = [];
  const lines: string[] = [];
  const recorder = (k: NoticeKind) => async (n: DeploymentNotice) => {
    notices.push({ kind: k, id: n.deployment.id, status: n.status, ncpStatus: n.ncpStatus });
  };
  const record: Notifier = {
    started: recorder('started'),
    progress: recorder('progress'),
    succeeded: recorder('succeeded'),
    failed: recorder('failed'),
    timedOut: recorder('timedOut'),
    canceled: recorder('canceled'),
    verifying: recorder('verifying'),
    verified: recorder('verified'),
    verificationFailed: recorder('verificationFailed'),
    pinReminder: recorder('pinReminder'),
  };
  const consoleNotifier = createConsoleNotifier({
    out: { isTTY: false, write: (s: string) => lines.push(s) },
  });
  const events = createPollerEvents();
  routeEventsToNotifiers(events, [record, consoleNotifier], logger);

  let current: PollerDriver | null = null;
  const tracker = {
    track: async (id: number) => {
      if (!current) throw new Error('no poller driver in use');
      await current.track(id);
    },
  };
  const services = createServices({
    integrations: stores.integrations,
    deployments: stores.deployments,
    ncp,
    clock: systemClock,
    tracker,
    logger,
    manifestPath: 'k8s/deployment.yaml',
    pins: stores.pins,
    audit: stores.audit,
    ...(opts.pinTtlMs ? { pinTtlMs: opts.pinTtlMs } : {}),
  });
  const verify = opts.verify
    ? {
        look: lookAtApp,
        defaults: { ...defaultVerifySettings, ...opts.verify },
        followUp: {
          afterFailure: services.afterVerificationFailure,
          afterSuccess: services.afterVerificationSuccess,
        },
      }
    : undefined;
  const deps: Omit<PollJobDeps, 'once'> = {
    ...(verify ? { verify } : {}),
    store: stores.deployments,
    integrations: stores.integrations,
    ncp,
    continuation: services,
    events,
    clock: systemClock,
    limits,
    log: logger,
  };
  const prefix = `klepaas-test-${randomBytes(6).toString('hex')}`;
  const drivers: PollerDriver[] = [];

  return {
    stores,
    sim,
    seed,
    services,
    notices,
    lines,
    makeDriver(opts = {}) {
      const driver =
        kind === 'bullmq'
          ? createBullmqPoller({ redisUrl: REDIS_URL, deps, store: stores.deployments, prefix })
          : createInProcessPoller({
              deps: { ...deps, once: eventLogOnceGuard(stores.events, systemClock) },
              store: stores.deployments,
              ...opts,
            });
      drivers.push(driver);
      return driver;
    },
    use(driver) {
      current = driver;
    },
    async rollback(stepsBack) {
      const plan = await services.planRollback(seed.owner, seed.repo, { stepsBack });
      return services.executeRollback(plan, requester, null);
    },
    record(id) {
      const d = stores.deployments.get(id);
      if (!d) throw new Error(`no deployment ${id}`);
      return d;
    },
    count: (id, k) => notices.filter((n) => n.id === id && n.kind === k).length,
    async close() {
      for (const d of drivers) await d.stop().catch(() => {});
      if (kind === 'bullmq') {
        const r = new Redis(REDIS_URL);
        const keys = await r.keys(`${prefix}:*`);
        if (keys.length > 0) await r.del(...keys);
        r.disconnect();
      }
      await sim.stop();
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { waitFor } from '../../support/wait-for.ts';
