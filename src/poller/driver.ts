import type { DeploymentTracker } from '../services/ports.ts';

/**
 * Follows deployments to their end. Two drivers run the same job code: BullMQ on Redis (shared by
 * several processes, survives restarts) and in-process timers (one process, resumes from the database).
 */
export interface PollerDriver extends DeploymentTracker {
  readonly kind: 'bullmq' | 'in-process';
  /** Starts working and resumes every deployment the database still shows in flight. */
  start(): Promise<void>;
  /** Stops taking work and waits for running ticks to finish; in-flight deployments stay in flight. */
  stop(): Promise<void>;
  /** Deployments this driver is following or has queued (all processes, for BullMQ). */
  pending(): Promise<number>;
}
