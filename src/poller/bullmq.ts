import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { DeploymentStore } from '../services/ports.ts';
import type { PollerDriver } from './driver.ts';
import { initialPollState, type PollJobDeps, pollStateSchema, runTick, type TickResult } from './job.ts';
import type { OnceGuard } from './once.ts';

export interface BullmqPollerOptions {
  readonly redisUrl: string;
  /** The job code's dependencies; leave `once` to the driver (it claims keys in Redis). */
  readonly deps: Omit<PollJobDeps, 'once'> & { readonly once?: OnceGuard };
  readonly store: Pick<DeploymentStore, 'allInFlight' | 'allVerifying'>;
  /** Redis key prefix of the queue; tests pass a random one. */
  readonly prefix?: string;
  readonly queueName?: string;
  /** Deployments one process polls at once. */
  readonly concurrency?: number;
  /**
   * How often to check that every in-flight record still has its job (Redis restarted empty loses them
   * all while the record stays `deploying`). Off when absent.
   */
  readonly rescanMs?: number;
  /** Told about a record in flight whose job is gone, before it is queued again (the reconciler). */
  readonly onMissingJob?: (deploymentId: number) => Promise<void>;
}

export interface BullmqPoller extends PollerDriver {
  readonly queue: Queue;
  readonly onceGuard: OnceGuard;
}

export const jobIdFor = (deploymentId: number): string => `deployment-${deploymentId}`;

/** Claims keys with SET NX in the same Redis, so every process sharing the queue sees the same claims. */
export function redisOnceGuard(redis: Redis, prefix: string, ttlSeconds = 7 * 24 * 3600): OnceGuard {
  return {
    async first(key) {
      return (await redis.set(`${prefix}:once:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },
  };
}

/**
 * One BullMQ job per deployment, id `deployment-<id>`, so tracking it twice queues nothing more. The job
 * reschedules itself with `moveToDelayed` + `DelayedError` (BullMQ's step-job pattern) rather than
 * completing and re-adding itself: the job keeps its id for the whole deployment, so there is no moment
 * between "completed" and "added again" where a second `track` could slip in a duplicate, and its state
 * (deploy phase start, error count) travels in its data through restarts.
 */
export function createBullmqPoller(opts: BullmqPollerOptions): BullmqPoller {
  const prefix = opts.prefix ?? 'klepaas';
  const queueName = opts.queueName ?? 'deployment-poller';
  const log = opts.deps.log.child({ module: 'poller', driver: 'bullmq', queue: queueName });
  // BullMQ needs maxRetriesPerRequest null on worker connections; it blocks waiting for jobs.
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix });
  // Without listeners every reconnect attempt prints a stack trace; /healthz reports Redis instead, and one
  // warning per outage is enough for the log.
  let redisDown = false;
  const onRedisError = (err: unknown) => {
    if (redisDown) return;
    redisDown = true;
    log.warn({ err }, 'Redis connection lost; the poller waits for it to come back');
  };
  connection.on('error', onRedisError);
  connection.on('ready', () => {
    if (redisDown) log.info('Redis connection back');
    redisDown = false;
  });
  queue.on('error', onRedisError);
  const once = opts.deps.once ?? redisOnceGuard(connection, `${prefix}:${queueName}`);
  const deps: PollJobDeps = { ...opts.deps, once };
  let worker: Worker | null = null;
  let workerConnection: Redis | null = null;
  let rescan: NodeJS.Timeout | null = null;
  let rescanning = false;

  const findMissing = async (track: (id: number) => Promise<void>): Promise<void> => {
    if (rescanning) return;
    rescanning = true;
    try {
      for (const d of opts.store.allInFlight()) {
        const job = await queue.getJob(jobIdFor(d.id));
        if (job) {
          // A job that ended while its record is still in flight follows nothing: replace it.
          const state = await job.getState();
          if (state !== 'completed' && state !== 'failed') continue;
          await job.remove().catch(() => {});
        }
        log.warn({ deploymentId: d.id, status: d.status }, 'in-flight record has no poller job; requeued');
        try {
          await opts.onMissingJob?.(d.id);
        } catch (err) {
          log.error({ err, deploymentId: d.id }, 'settling a record without a job failed');
        }
        await track(d.id);
      }
    } catch (err) {
      // Redis down right now: the next pass looks again.
      log.warn({ err }, 'looking for lost poller jobs failed');
    } finally {
      rescanning = false;
    }
  };

  const process = async (job: Job, token?: string): Promise<void> => {
    const state = pollStateSchema.parse(job.data);
    let result: TickResult;
    try {
      result = await runTick(deps, state);
    } catch (err) {
      log.error({ err, deploymentId: state.deploymentId }, 'poll tick failed; retrying next interval');
      result = { next: 'again', delayMs: deps.limits.intervalMs, state };
    }
    if (result.next === 'done') return;
    await job.updateData(result.state);
    await job.moveToDelayed(Date.now() + result.delayMs, token);
    throw new DelayedError();
  };

  return {
    kind: 'bullmq',
    queue,
    onceGuard: once,
    async track(deploymentId) {
      await queue.add('poll', initialPollState(deploymentId), {
        jobId: jobIdFor(deploymentId),
        removeOnComplete: true,
        removeOnFail: 1000,
      });
    },
    async start() {
      if (worker) return;
      workerConnection = connection.duplicate({ maxRetriesPerRequest: null });
      worker = new Worker(queueName, process, {
        connection: workerConnection,
        prefix,
        concurrency: opts.concurrency ?? 32,
      });
      worker.on('error', (err) => log.error({ err }, 'poller worker error'));
      await worker.waitUntilReady();
      // Redis normally still holds these jobs; re-adding is free (same job id) and covers a flushed Redis.
      // Verifications still running resume too: their window is stored with the record.
      const resumed = [...opts.store.allInFlight(), ...opts.store.allVerifying()];
      for (const d of resumed) await this.track(d.id);
      log.info({ resumed: resumed.length }, 'poller started');
      if (opts.rescanMs) {
        rescan = setInterval(() => void findMissing((id) => this.track(id)), opts.rescanMs);
        rescan.unref();
      }
    },
    async pending() {
      const c = await queue.getJobCounts('active', 'delayed', 'waiting', 'prioritized');
      return Object.values(c).reduce((a, b) => a + b, 0);
    },
    async stop() {
      if (rescan) clearInterval(rescan);
      rescan = null;
      const w = worker;
      worker = null;
      if (w) await w.close();
      await queue.close();
      // Connections handed to BullMQ stay open after close(); they are ours to end.
      workerConnection?.disconnect();
      workerConnection = null;
      connection.disconnect();
    },
  };
}
