import type { Deployment } from '../domain/deployment.ts';
import { isTerminal } from '../domain/deployment.ts';
import { noticeKindOf } from '../notify/fan-out.ts';
import type { DeploymentNotice, NoticeKind } from '../notify/port.ts';
import { renderNotice } from '../notify/render.ts';
import type { PollerEvent, PollerEvents } from '../poller/events.ts';
import { durationFrom, phaseOf } from '../poller/step.ts';
import type { Clock } from '../services/ports.ts';

const terminalNotice: Partial<Record<Deployment['status'], NoticeKind>> = {
  success: 'succeeded',
  failed: 'failed',
  timed_out: 'timedOut',
  canceled: 'canceled',
};

/** What a notice is about: two records with the same key would say the same thing. */
const changeKey = (d: Pick<Deployment, 'status' | 'ncpStatus'>): string =>
  `${d.status}:${d.ncpStatus ?? '-'}`;

/**
 * Pure: the notice a record's change stands for, when the poller that made the change runs in another
 * process (its events are published there). Says only what the record holds.
 */
export function noticeFromRecord(
  previous: Deployment | null,
  d: Deployment,
  now: Date,
): { kind: NoticeKind; notice: DeploymentNotice } {
  const kind = terminalNotice[d.status] ?? (previous === null ? 'started' : 'progress');
  return {
    kind,
    notice: {
      deployment: d,
      previousStatus: previous?.status ?? d.status,
      status: d.status,
      ncpStatus: d.ncpStatus,
      phase: phaseOf(d),
      failedPhase: null,
      elapsedMs: d.durationMs ?? durationFrom(d, d.completedAt ?? now),
      limitMs: null,
      at: now,
    },
  };
}

export interface FollowOptions {
  readonly id: number;
  readonly read: (id: number) => Deployment | null;
  /** One rendered notice line. */
  readonly print: (line: string) => void;
  /**
   * `events`: this process polls the deployment and its poller publishes every change here.
   * `records`: another process's poller moves it, so changes are read from the stored record.
   */
  readonly source: 'events' | 'records';
  /** How often the stored record is read (a safety net in `events` mode). */
  readonly intervalMs: number;
  /** Give up waiting after this long; the record is returned as it stands. */
  readonly deadlineMs: number;
  readonly clock: Clock;
}

export interface FollowResult {
  readonly deployment: Deployment;
  /** False when the deadline passed with the deployment still in flight. */
  readonly finished: boolean;
}

export interface Follower {
  /** Resolves when the deployment reaches a final state (or the deadline passes). */
  until(opts: FollowOptions): Promise<FollowResult>;
  stop(): void;
}

/**
 * Listens from before the work starts, so the first notice of a deployment whose id is not known yet is
 * kept until `until` names it.
 */
export function createFollower(events: PollerEvents): Follower {
  const early: PollerEvent[] = [];
  let handler: ((event: PollerEvent) => void) | null = null;
  const unsubscribe = events.subscribe((event) => {
    if (handler) handler(event);
    else early.push(event);
  });

  const until = (opts: FollowOptions): Promise<FollowResult> =>
    new Promise((resolve, reject) => {
      const started = opts.clock.now().getTime();
      let shown: Deployment | null = null;
      let terminalShown = false;
      let timer: NodeJS.Timeout | null = null;
      let done = false;

      const show = (kind: NoticeKind, notice: DeploymentNotice): void => {
        opts.print(renderNotice(kind, notice).text);
        shown = notice.deployment;
        if (isTerminal(notice.deployment.status)) terminalShown = true;
      };
      const finish = (result: FollowResult): void => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        handler = null;
        resolve(result);
      };
      const check = (): void => {
        if (done) return;
        const d = opts.read(opts.id);
        if (d === null) {
          done = true;
          if (timer) clearTimeout(timer);
          reject(new Error(`deployment #${opts.id} disappeared from the database`));
          return;
        }
        const now = opts.clock.now();
        const changed = shown === null || changeKey(shown) !== changeKey(d);
        // A final state always gets its notice here, even when its event was published elsewhere.
        if ((opts.source === 'records' && changed) || (isTerminal(d.status) && !terminalShown)) {
          const { kind, notice } = noticeFromRecord(shown, d, now);
          show(kind, notice);
        }
        if (isTerminal(d.status)) finish({ deployment: d, finished: true });
        else if (now.getTime() - started >= opts.deadlineMs) finish({ deployment: d, finished: false });
        else timer = setTimeout(check, opts.intervalMs);
      };

      handler = (event) => {
        if (event.deployment.id !== opts.id || opts.source !== 'events') return;
        show(noticeKindOf(event.kind), event);
        if (isTerminal(event.deployment.status)) {
          if (timer) clearTimeout(timer);
          check();
        }
      };
      for (const event of early.splice(0)) handler(event);
      check();
    });

  return { until, stop: unsubscribe };
}
