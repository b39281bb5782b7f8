import type { Deployment, DeploymentStatus } from '../domain/deployment.ts';

/** Everything a notice says, taken from one state change of a deployment. */
export interface DeploymentNotice {
  /** The record as it stands after the change (who asked, lang, commit, image, NCP ids, times). */
  readonly deployment: Deployment;
  readonly previousStatus: DeploymentStatus;
  readonly status: DeploymentStatus;
  /** The raw status NCP reported, or null before it said anything. */
  readonly ncpStatus: string | null;
  /** Which NCP run the poller was following: SourceBuild or SourceDeploy. */
  readonly phase: 'build' | 'deploy';
  readonly failedPhase: string | null;
  readonly elapsedMs: number;
  readonly limitMs: number | null;
  readonly at: Date;
}

/**
 * Tells the people who asked how a deployment is going. `progress` updates one message in place;
 * the others are new messages (in the same thread on Slack) so people are notified.
 */
export interface Notifier {
  started(n: DeploymentNotice): Promise<void>;
  progress(n: DeploymentNotice): Promise<void>;
  succeeded(n: DeploymentNotice): Promise<void>;
  failed(n: DeploymentNotice): Promise<void>;
  timedOut(n: DeploymentNotice): Promise<void>;
  canceled(n: DeploymentNotice): Promise<void>;
}

export type NoticeKind = keyof Notifier;
export const noticeKinds: readonly NoticeKind[] = [
  'started',
  'progress',
  'succeeded',
  'failed',
  'timedOut',
  'canceled',
];
