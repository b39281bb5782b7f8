import type { DeploymentStore } from '../services/ports.ts';
import type { PollerDriver } from './driver.ts';
import { initialPollState, type PollJobDeps, type PollState, runTick, type TickResult } from './job.ts';

export interface InProcessPollerOptions {
  readonly deps: PollJobDeps;
  readonly store: Pick<DeploymentStore, 'allInFlight' | 'allVerifying'>;
  /** Ticks running at once; the rest wait their turn so 1,000 deployments never mean 1,000 sockets. */
  readonly concurrency?: number;
  /**
   * How often to look for in-flight records this process did not start (a CLI in another process, a
   * second bot without Redis). Off when absent.
   */
  readonly rescanMs?: number;
}

export interface InProcessPoller extends PollerDriver {
  /** Deployment ids this process is following now. */
  tracking(): number[];
}

interface Entry {
  state: PollState;
  timer: NodeJS.Timeout | null;
}

/** Timers in this process; the state of each deployment lives in the database, so a restart resumes. */
export function createInProcessPoller(opts: InProcessPollerOptions): InProcessPoller {
  const { deps } = opts;
  const log = deps.log.child({ module: 'poller', driver: 'in-process' });
  const limit = Math.max(1, opts.concurrency ?? 32);
  const entries = new Map<number, Entry>();
  const running = new Set<Promise<void>>();
  const waiting: Array<() => void> = [];
  let active = 0;
  let started = false;
  let rescan: NodeJS.Timeout | null = null;

  const acquire = (): Promise<void> => {
    if (active < limit) {
      active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };

  const schedule = (id: number, delayMs: number): void => {
    const entry = entries.get(id);
    if (!entry || !started) return;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      const p = tick(id, entry).finally(() => running.delete(p));
      running.add(p);
    }, delayMs);
  };

  const tick = async (id: number, entry: Entry): Promise<void> => {
    await acquire();
    let result: TickResult | null = null;
    try {
      if (started) result = await runTick(deps, entry.state);
    } catch (err) {
      // The store or a listener failed, not the deployment: keep following it.
      log.error({ err, deploymentId: id }, 'poll tick failed; retrying next interval');
      result = { next: 'again', delayMs: deps.limits.intervalMs, state: entry.state };
    } finally {
      release();
    }
    if (result === null) return;
    entry.state = result.state;
    if (result.next === 'done') entries.delete(id);
    else schedule(id, result.delayMs);
  };

  return {
    kind: 'in-process',
    async track(deploymentId) {
      if (entries.has(deploymentId)) return;
      entries.set(deploymentId, { state: initialPollState(deploymentId), timer: null });
      schedule(deploymentId, 0);
    },
    async start() {
      if (started) return;
      started = true;
      for (const entry of entries.values()) if (entry.timer === null) schedule(entry.state.deploymentId, 0);
      // Verifications still running resume too: their window is stored with the record.
      const resumed = [...opts.store.allInFlight(), ...opts.store.allVerifying()];
      for (const d of resumed) await this.track(d.id);
      log.info({ resumed: resumed.length }, 'poller started');
      if (opts.rescanMs) {
        rescan = setInterval(() => {
          try {
            for (const d of [...opts.store.allInFlight(), ...opts.store.allVerifying()])
              void this.track(d.id);
          } catch (err) {
            log.error({ err }, 'looking for in-flight deployments failed');
          }
        }, opts.rescanMs);
        rescan.unref();
      }
    },
    async stop() {
      started = false;
      if (rescan) clearInterval(rescan);
      rescan = null;
      for (const entry of entries.values()) {
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = null;
      }
      await Promise.allSettled([...running]);
      entries.clear();
    },
    tracking: () => [...entries.keys()],
    pending: async () => entries.size,
  };
}
