import { randomUUID } from 'node:crypto';
import { createDispatcher } from '../bot/dispatcher.ts';
import type { Dispatcher } from '../bot/types.ts';
import type { Config } from '../config/load.ts';
import { openDatabase } from '../db/open.ts';
import { createStores, type Stores } from '../db/stores.ts';
import { createIntentParser } from '../intent/parse.ts';
import type { Logger } from '../log/logger.ts';
import type { PollerDriver } from '../poller/driver.ts';
import { createPollerEvents, type PollerEvents } from '../poller/events.ts';
import { createInProcessPoller } from '../poller/in-process.ts';
import { eventLogOnceGuard } from '../poller/once.ts';
import { type Clock, systemClock } from '../services/ports.ts';
import { openNcp } from './compose.ts';
import { createServices, type Services } from './services.ts';

export interface Runtime {
  readonly dispatcher: Dispatcher;
  readonly events: PollerEvents;
  readonly stores: Stores;
  readonly services: Services;
  readonly poller: PollerDriver;
  /** Set when the simulator stands in for NCP: said once at start so nobody mistakes it for production. */
  readonly simulatorNotice: string | null;
  close(): Promise<void>;
}

export type RuntimePoll = 'all' | 'own' | 'none';

export interface RuntimeOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /**
   * Which deployments this process polls. `all` (default, the bot): start the poller and resume every
   * deployment in flight. `own`: start it but follow only what this process tracks, so a short-lived
   * command waiting on its own deployment never takes over the others (nor claims their notices); meant
   * for the in-process driver, since a BullMQ worker takes any job of its queue. `none`: never start it;
   * `track` still enqueues (BullMQ) for the bot's workers.
   */
  readonly poll?: RuntimePoll;
  /** How long to wait for REDIS_URL to answer at start (REDIS_CONNECT_WAIT_MS by default). */
  readonly redisWaitMs?: number;
  /** Redis key prefix of the BullMQ queue (tests on a shared Redis pass a random one). */
  readonly queuePrefix?: string;
}

/**
 * Builds the whole bot behind the front ends: database, NCP (or the simulator), poller (BullMQ with
 * REDIS_URL, else in-process), services, parser and dispatcher. The front end is the caller's choice.
 */
export async function startRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  const poll = opts.poll ?? 'all';
  // Before anything else, so an unreachable Redis stops the start before any NCP run is begun.
  // openai, bullmq and ioredis are loaded only when configured: together they cost ~60 MB of RSS and a
  // few hundred modules a bot without an LLM key or Redis never uses.
  if (config.redisUrl) {
    const { checkRedis } = await import('./redis-check.ts');
    await checkRedis(config.redisUrl, opts.redisWaitMs);
  }
  const database = openDatabase(config.databasePath, { logger });
  const stores = createStores(database.db, clock);
  const ncp = await openNcp(
    config,
    { stores, sqlite: database.sqlite, path: config.databasePath },
    logger,
  ).catch((err: unknown) => {
    database.close();
    throw err;
  });
  const events = createPollerEvents((err, event) =>
    logger.error({ err, deploymentId: event.deployment.id, event: event.kind }, 'notice listener failed'),
  );

  // The poller continues a rebuild through the services, and the services hand new work to the poller:
  // the services are bound after the poller exists, through this late reference.
  let services: Services | null = null;
  const continuation = {
    continueAfterBuild: (id: number) => {
      if (!services) throw new Error('services not ready');
      return services.continueAfterBuild(id);
    },
  };
  const jobDeps = {
    store: stores.deployments,
    integrations: stores.integrations,
    ncp: ncp.port,
    continuation,
    events,
    clock,
    limits: {
      intervalMs: config.poll.intervalMs,
      deployTimeoutMs: config.poll.deployTimeoutMs,
      buildTimeoutMs: config.poll.buildTimeoutMs,
      approvalTimeoutMs: config.poll.approvalTimeoutMs,
    },
    log: logger,
  };
  const resumable = poll === 'all' ? stores.deployments : { allInFlight: () => [] };
  // Notices are claimed in the database for both drivers: it outlives a restart of the bot and of Redis
  // (a Redis restarted empty forgot its claims, and the "started" notice went out again), and every
  // process polling these records shares it.
  const once = eventLogOnceGuard(stores.events, clock);
  const poller: PollerDriver = config.redisUrl
    ? (await import('../poller/bullmq.ts')).createBullmqPoller({
        redisUrl: config.redisUrl,
        deps: { ...jobDeps, once },
        store: resumable,
        // As many ticks at once as there are sockets to NCP: fewer leave sockets idle while 10,000
        // deployments wait their turn, more only queue inside the pool.
        concurrency: config.ncpConnections,
        ...(opts.queuePrefix ? { prefix: opts.queuePrefix } : {}),
      })
    : createInProcessPoller({
        deps: { ...jobDeps, once },
        store: resumable,
        concurrency: config.ncpConnections,
        // Without Redis there is no shared queue: records started elsewhere are found by looking.
        ...(poll === 'all' ? { rescanMs: config.poll.intervalMs } : {}),
      });

  services = createServices({
    integrations: stores.integrations,
    deployments: stores.deployments,
    ncp: ncp.port,
    clock,
    tracker: poller,
    logger,
    audit: stores.audit,
    locks: stores.locks,
    confirmations: stores.confirmations,
    manifestPath: config.manifestPath,
  });

  const llm = config.llm ? (await import('../llm/intent-llm.ts')).createIntentLlm(config.llm, logger) : null;
  const parser = createIntentParser({ llm, logger });
  const dispatcher = createDispatcher({
    parser,
    services,
    integrations: stores.integrations,
    pending: stores.pendingActions,
    deployments: stores.deployments,
    audit: stores.audit,
    clock,
    logger,
    newId: randomUUID,
    confirmTtlMs: config.confirmations.ttlMs,
    approvers: config.confirmations.approvers,
    conversations: stores.conversations,
    timeZone: config.timeZone,
  });

  if (poll !== 'none') await poller.start();
  const bound = services;
  return {
    dispatcher,
    events,
    stores,
    services: bound,
    poller,
    simulatorNotice: ncp.simulatorNotice,
    async close() {
      await poller.stop();
      await ncp.close();
      database.close();
    },
  };
}
