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
 * is reported through `onError` and never stops the poller or the other listeners.
 */
export function createPollerEvents(
  onError: (err: unknown, event: PollerEvent) => void = () => {},
): PollerEvents {
  const listeners = new Set<PollerListener>();
  return {
    async publish(event) {
      for (const listener of [...listeners]) {
        try {
          await listener(event);
        } catch (err) {
          onError(err, event);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
