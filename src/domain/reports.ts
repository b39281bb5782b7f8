import type { Deployment } from './deployment.ts';
import type { Bilingual } from './errors.ts';

/** A deployment a rollback can go to. `n` is the N of "N back": 1 is the newest commit before the running one. */
export interface Candidate {
  readonly n: number;
  readonly deploymentId: number;
  readonly commitSha: string;
  readonly commitMessage: string | null;
  readonly deployedAt: Date | null;
  readonly imageTag: string;
}

export interface RunningCommit {
  readonly commitSha: string;
  readonly commitMessage: string | null;
  readonly deployedAt: Date | null;
  readonly deploymentId: number;
  /** How it came to run, and who asked: "since when and by whom". */
  readonly operation?: 'deploy' | 'rollback';
  readonly requestedBy?: string | null;
}

/**
 * A version a rollback rolled away from. Never offered as a target (and never counted in "N back")
 * until it is deployed again on purpose; listed apart, marked.
 */
export interface FaultyVersion {
  readonly commitSha: string;
  readonly commitMessage: string | null;
  /** The deployment of it that ran until the rollback. */
  readonly deploymentId: number;
  /** The rollback that rolled away from it. */
  readonly rollbackId: number;
  readonly rolledAwayAt: Date | null;
  readonly rolledAwayBy: string | null;
}

export interface CandidateList {
  readonly owner: string;
  readonly repo: string;
  readonly current: RunningCommit | null;
  readonly candidates: readonly Candidate[];
  /** Rolled-away-from versions, newest first; not numbered, not targets. */
  readonly faulty: readonly FaultyVersion[];
}

/** What a rollback would do, computed without side effects; shown for confirmation, then executed. */
export interface RollbackPlan {
  readonly owner: string;
  readonly repo: string;
  readonly current: RunningCommit | null;
  readonly target: Candidate;
  /** How many back the target is (its `n`), whatever way it was asked for. */
  readonly stepsBack: number;
  readonly imageRef: string;
  readonly imageExists: boolean;
  /** The image is missing in NCR: SourceBuild rebuilds that commit first. */
  readonly rebuild: boolean;
  /** Set when the target is a version a rollback rolled away from, chosen on purpose ("undo that"). */
  readonly faulty?: FaultyVersion | null;
  /** How a target given in words ("before the redis change", "어제 배포 전") was resolved. */
  readonly reasoning?: Bilingual | null;
}

export interface DeployPlan {
  readonly owner: string;
  readonly repo: string;
  readonly ref: string;
  readonly commitSha: string;
  readonly commitMessage: string | null;
  readonly current: RunningCommit | null;
  readonly imageRef: string;
  /**
   * Set when what runs is a rollback away from exactly this application commit: the deploy returns to
   * the commit that was rolled back from (the branch's newer manifest commits are the bot's, not code).
   */
  readonly returnsFrom?: { readonly rollbackId: number; readonly rolledBackFromId: number } | null;
  /** The pin this deploy goes past because it was forced (it still contains the rolled-away-from commit). */
  readonly forcedPastPin?: {
    readonly pinId: number;
    readonly rollbackId: number;
    readonly fromSha: string;
    readonly reason: string;
  } | null;
}

export interface ReadinessCheck {
  readonly id: string;
  readonly ok: boolean;
  /** `issue` blocks a rollback, `warning` does not. */
  readonly severity: 'issue' | 'warning';
  readonly message: Bilingual;
  readonly hint: Bilingual | null;
}

/** The source documents' diagnose JSON (snake_case kept for compatibility), plus the checks behind it. */
export interface DiagnoseReport {
  readonly ready: boolean;
  readonly owner: string;
  readonly repo: string;
  readonly issues: readonly string[];
  readonly warnings: readonly string[];
  readonly deployment_count: number | null;
  readonly latest_deployment: { readonly commit_sha: string; readonly deployed_at: string | null } | null;
  readonly checks: readonly ReadinessCheck[];
  readonly mode: 'ncp' | 'simulator';
  readonly in_flight: Deployment | null;
}
