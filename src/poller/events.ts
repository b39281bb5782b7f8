import type { Deployment, DeploymentStatus, RepoPin } from '../domain/deployment.ts';
import type { Phase } from './step.ts';

export const pollerEventKinds = [
  'started',
  'progress',
  'succeeded',
  'failed',
  'timed_out',
  'canceled',
  /** Verification after success: a look at the app (the card updated in place), then its verdict. */
  'verifying',
  'verified',
  'verification_failed',
  /** A rollback's pin ends soon (said once, in the rollback's thread). */
  'pin_reminder',
] as const;
export type PollerEventKind = (typeof pollerEventKinds)[number];

/** One state change of a deployment, with everything a notice needs; published once per change. */
export interface PollerEvent {
  readonly kind: PollerEventKind;
  /** Stable per change (`deployment:12:succeeded`), so a repeated tick cannot publish it twice. */
  readonly key: string;
  /** The record as written by this change. */
  readonly deployment: Deployment;
  readonly previousStatus: DeploymentStatus;
  readonly status: DeploymentStatus;
  /** The raw status NCP reported (`inprogress`, `fail`, ...), or null before it said anything. */
  readonly ncpStatus: string | null;
  readonly phase: Phase;
  /** NCP's failed phase for a failed build, when it gave one. */
  readonly failedPhase: string | null;
  /** Time since the work began (`startedAt`, else `requestedAt`). */
  readonly elapsedMs: number;
  /** The limit that passed, for `timed_out`. */
  readonly limitMs: number | null;
  readonly at: Date;
  /** The pin, for `pin_reminder`. */
  readonly pin?: RepoPin;
}

export type PollerListener = (event: PollerEvent) => void | Promise<void>;

export interface PollerEvents {
  publish(event: PollerEvent): Promise<void>;
  subscribe(listener: PollerListener): () => void;
}

/**
 * In-process fan-out. Each process publishes the changes made by the jobs it ran; a listener that throws
 * is reported through `onError` and never stops the poller or the other listeners. Events published
 * before anyone listens (the poller resumes and the reconciler settles records while the front end is
 * still loading) are kept, up to `backlog`, and handed to the first listener: a notice claimed once in
 * the database must not be lost for want of a listener.
 */
export function createPollerEvents(
  onError: (err: unknown, event: PollerEvent) => void = () => {},
  backlog = 1000,
): PollerEvents {
  const listeners = new Set<PollerListener>();
  let early: PollerEvent[] | null = [];
  const deliver = async (listener: PollerListener, event: PollerEvent) => {
    try {
      await listener(event);
    } catch (err) {
      onError(err, event);
    }
  };
  return {
    async publish(event) {
      if (early !== null && listeners.size === 0) {
        if (early.length < backlog) early.push(event);
        return;
      }
      for (const listener of [...listeners]) await deliver(listener, event);
    },
    subscribe(listener) {
      listeners.add(listener);
      const held = early;
      early = null;
      if (held && held.length > 0) {
        void (async () => {
          for (const event of held) await deliver(listener, event);
        })();
      }
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
