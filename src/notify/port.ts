import type { Deployment, DeploymentStatus, RepoPin } from '../domain/deployment.ts';

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
  /** The pin a reminder is about. */
  readonly pin?: RepoPin;
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
  /** A look during verification: the card is updated in place (`deployment.verification` holds the figures). */
  verifying(n: DeploymentNotice): Promise<void>;
  verified(n: DeploymentNotice): Promise<void>;
  /** Figures against thresholds; a failed rollback's verification is broadcast. */
  verificationFailed(n: DeploymentNotice): Promise<void>;
  /** A rollback's pin ends soon; `pin` is set. */
  pinReminder(n: DeploymentNotice): Promise<void>;
}

export type NoticeKind = keyof Notifier;
/** The notices of a deployment's run in NCP; the verification notices follow a success. */
export const noticeKinds: readonly NoticeKind[] = [
  'started',
  'progress',
  'succeeded',
  'failed',
  'timedOut',
  'canceled',
];
