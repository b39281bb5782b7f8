/**
 * The slow part of each Slack request (Bolt's middleware, the dispatcher, rendering, posting the reply),
 * run after the request is acknowledged. Each job starts in its own event-loop turn, so requests already
 * waiting on their sockets are read, verified and acknowledged before the next job's work runs; and at
 * most `concurrency` jobs are in flight, so a burst does not turn into hundreds of simultaneous Web API
 * calls whose responses would crowd the acks out again.
 */
export interface WorkQueue {
  /**
   * Runs `job` after the jobs queued before it have started. Jobs with the same `key` (one Slack thread)
   * run one after another, so replies in a thread keep the order the requests came in.
   */
  push(job: () => Promise<unknown>, key?: string): void;
  /** Resolves when nothing is queued or running (shutdown, tests). */
  idle(): Promise<void>;
  readonly size: number;
}

export interface WorkQueueOptions {
  readonly concurrency: number;
  /** A job's throw ends up here; the queue itself never rejects. */
  readonly onError: (err: unknown) => void;
  /** How a job waits for its turn; setImmediate lets the poll phase (pending requests) go first. */
  readonly yieldTurn?: (run: () => void) => void;
  /**
   * While requests keep arriving (the last one less than `quietMs` ago), no job starts, up to `maxHoldMs`
   * after the oldest waiting one arrived: in a burst the CPU goes to reading and acking first.
   */
  readonly burst?: { readonly quietMs: number; readonly maxHoldMs: number };
  readonly now?: () => number;
  readonly later?: (run: () => void, ms: number) => void;
}

interface Entry {
  readonly job: () => Promise<unknown>;
  readonly key: string | undefined;
  readonly at: number;
}

export function createWorkQueue(opts: WorkQueueOptions): WorkQueue {
  const yieldTurn = opts.yieldTurn ?? ((run: () => void) => setImmediate(run));
  const now = opts.now ?? (() => performance.now());
  const later = opts.later ?? ((run: () => void, ms: number) => setTimeout(run, ms));
  let lastArrival = Number.NEGATIVE_INFINITY;
  const waiting: Entry[] = [];
  // Jobs held back because an earlier job of the same thread is still running, in arrival order.
  const heldByKey = new Map<string, Entry[]>();
  let running = 0;
  let held = 0;
  let scheduled = false;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (running > 0 || waiting.length > 0 || scheduled) return;
    const ws = idleWaiters;
    idleWaiters = [];
    for (const w of ws) w();
  };

  const finish = (entry: Entry) => {
    running -= 1;
    if (entry.key !== undefined) {
      const next = heldByKey.get(entry.key)?.shift();
      if (next) {
        held -= 1;
        // Ahead of later arrivals: it came in before them and its thread has waited already.
        waiting.unshift(next);
      } else heldByKey.delete(entry.key);
    }
    schedule();
    settleIdle();
  };

  const start = (entry: Entry) => {
    running += 1;
    let done: Promise<unknown>;
    try {
      done = entry.job();
    } catch (err) {
      done = Promise.reject(err);
    }
    done.catch(opts.onError).finally(() => finish(entry));
  };

  // One job per turn: between two starts the event loop polls for I/O, which is where acks happen.
  const turn = () => {
    const oldest = waiting[0];
    if (opts.burst && oldest) {
      const t = now();
      const quiet = lastArrival + opts.burst.quietMs - t;
      const hold = oldest.at + opts.burst.maxHoldMs - t;
      if (quiet > 0 && hold > 0) {
        later(turn, Math.ceil(Math.min(quiet, hold)));
        return;
      }
    }
    scheduled = false;
    const entry = running < opts.concurrency ? waiting.shift() : undefined;
    if (entry) start(entry);
    schedule();
    settleIdle();
  };

  function schedule(): void {
    if (scheduled || waiting.length === 0 || running >= opts.concurrency) return;
    scheduled = true;
    yieldTurn(turn);
  }

  return {
    push(job, key) {
      lastArrival = now();
      const entry: Entry = { job, key, at: lastArrival };
      if (key !== undefined) {
        const sameThread = heldByKey.get(key);
        if (sameThread) {
          sameThread.push(entry);
          held += 1;
          return;
        }
        heldByKey.set(key, []);
      }
      waiting.push(entry);
      schedule();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
    get size() {
      return running + waiting.length + held;
    },
  };
}
