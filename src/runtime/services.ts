import type { Deployment, Integration, RepoPin, Requester } from '../domain/deployment.ts';
import type { CandidateList, DeployPlan, DiagnoseReport, RollbackPlan } from '../domain/reports.ts';
import type { VerifyFailure } from '../domain/verification.ts';
import { afterVerificationFailure } from '../services/after-verify.ts';
import { type AuditReport, auditRepo } from '../services/audit.ts';
import {
  type CancelOutcome,
  type CancelRequest,
  cancelDeployment,
  cancelRunning,
} from '../services/cancel.ts';
import { executeDeploy, planDeploy } from '../services/deploy.ts';
import type { DeploySelector, RollbackSelector, ServiceDeps } from '../services/deps.ts';
import {
  addIntegration,
  listIntegrations,
  removeIntegration,
  updateIntegration,
} from '../services/integrations.ts';
import { activeLock, checkLock, type LockRequest, lockRepo, unlockRepo } from '../services/locks.ts';
import {
  activePin,
  claimPinReminders,
  pinAfterRollback,
  unpinAfterVerifiedDeploy,
  unpinRepo,
} from '../services/pins.ts';
import { continueAfterBuild } from '../services/pipeline.ts';
import type { IntegrationInput, RepoLock } from '../services/ports.ts';
import { candidates, diagnose, history, status } from '../services/queries.ts';
import { executeRollback, planRollback } from '../services/rollback.ts';
import type { WordsResolution } from '../services/rules/target-words.ts';
import { resolveTargetWords } from '../services/target-text.ts';
import { undoTarget } from '../services/targets.ts';

export type { CancelOutcome, CancelRequest, DeploySelector, RollbackSelector, ServiceDeps };

type Known = Integration | null;

/** Every use case with its dependencies bound; what the dispatcher, the CLI and the poller call. */
export interface Services {
  // `known`: the repo's integration when the caller already read it in this request (not read again;
  // null or absent: read it).
  planRollback(owner: string, repo: string, selector: RollbackSelector, known?: Known): Promise<RollbackPlan>;
  executeRollback(
    plan: RollbackPlan,
    requester: Requester,
    requestKey: string | null,
    known?: Known,
  ): Promise<Deployment>;
  planDeploy(owner: string, repo: string, selector: DeploySelector, known?: Known): Promise<DeployPlan>;
  executeDeploy(
    plan: DeployPlan,
    requester: Requester,
    requestKey: string | null,
    known?: Known,
  ): Promise<Deployment>;
  /**
   * Cancels the repo's deployment in flight on NCP, or releases it when NCP has no run of it; throws
   * NOTHING_TO_CANCEL when none is in flight. The caller checks the requester may deploy the repo.
   */
  cancel(owner: string, repo: string, req: CancelRequest): Promise<CancelOutcome>;
  /** The same for a record already looked up (the chat's cancel route). */
  cancelRunning(d: Deployment, req?: CancelRequest): Promise<CancelOutcome>;
  /** For the poller: the build of a `building` record succeeded; update the manifest and run the scenario. */
  continueAfterBuild(deploymentId: number): Promise<Deployment>;
  /** For the poller: a verification failed (the rollback target, and the bot's own rollback if asked for). */
  afterVerificationFailure(
    deploymentId: number,
    failed: VerifyFailure,
  ): Promise<{ rollbackTargetSha: string | null; autoRollbackId: number | null }>;
  /** For the poller: a verification passed (a deploy's lands: the pin ends). */
  afterVerificationSuccess(deploymentId: number): Promise<void>;
  /** For the poller: a record reached success (a rollback pins its repo). */
  afterSuccess(deploymentId: number): Promise<RepoPin | null>;
  activePin(owner: string, repo: string): RepoPin | null;
  unpin(owner: string, repo: string, by: string | null): RepoPin[];
  /** Pins whose expiry reminder is due, claimed (each returned once, ever). */
  claimPinReminders(): RepoPin[];
  candidates(owner: string, repo: string, limit?: number, known?: Known): Promise<CandidateList>;
  history(owner: string, repo: string, limit?: number, known?: Known): Promise<Deployment[]>;
  status(owner: string, repo: string, known?: Known): Promise<Deployment | null>;
  diagnose(owner: string, repo: string, known?: Known): Promise<DiagnoseReport>;
  /** Who did what on the repo, from the records and confirmations; and what runs now. */
  audit(
    owner: string,
    repo: string,
    opts: { limit: number; operation?: 'deploy' | 'rollback' | null },
    known?: Known,
  ): Promise<AuditReport>;
  /** A rollback target in words ("어제 배포 전", "before the redis change") resolved to a commit, or refused. */
  resolveTarget(
    owner: string,
    repo: string,
    text: string,
    timeZone: string,
    known?: Known,
  ): Promise<WordsResolution>;
  /** The version the last rollback rolled away from ("undo that"). */
  undoTarget(owner: string, repo: string): Promise<{ commitSha: string; rollbackId: number }>;
  lock(
    owner: string,
    repo: string,
    req: LockRequest,
    known?: Known,
  ): Promise<{ lock: RepoLock; replaced: RepoLock | null }>;
  unlock(owner: string, repo: string, by: string | null, known?: Known): Promise<RepoLock | null>;
  activeLock(owner: string, repo: string): RepoLock | null;
  /** Throws REPO_LOCKED unless unlocked or forced by someone who may; returns the overridden lock. */
  checkLock(owner: string, repo: string, opts: { force: boolean; mayForce: boolean }): RepoLock | null;
  integrations: {
    add(input: IntegrationInput): Integration;
    update(input: IntegrationInput): Integration;
    list(): Integration[];
    remove(owner: string, repo: string): void;
  };
}

export function createServices(deps: ServiceDeps): Services {
  return {
    planRollback: (owner, repo, sel, known) => planRollback(deps, owner, repo, sel, known),
    executeRollback: (plan, requester, key, known) => executeRollback(deps, plan, requester, key, known),
    planDeploy: (owner, repo, sel, known) => planDeploy(deps, owner, repo, sel, known),
    executeDeploy: (plan, requester, key, known) => executeDeploy(deps, plan, requester, key, known),
    cancel: (owner, repo, req) => cancelDeployment(deps, owner, repo, req),
    cancelRunning: (d, req) => cancelRunning(deps, d, req),
    continueAfterBuild: (id) => continueAfterBuild(deps, id),
    afterVerificationFailure: (id, failed) => afterVerificationFailure(deps, id, failed),
    afterVerificationSuccess: async (id) => {
      const d = deps.deployments.get(id);
      if (d) unpinAfterVerifiedDeploy(deps, d);
    },
    afterSuccess: async (id) => pinAfterRollback(deps, id),
    activePin: (owner, repo) => activePin(deps, owner, repo),
    unpin: (owner, repo, by) => unpinRepo(deps, owner, repo, by, 'unpinned by request'),
    claimPinReminders: () => claimPinReminders(deps),
    candidates: (owner, repo, limit, known) => candidates(deps, owner, repo, limit, known),
    history: (owner, repo, limit, known) => history(deps, owner, repo, limit, known),
    status: (owner, repo, known) => status(deps, owner, repo, known),
    diagnose: (owner, repo, known) => diagnose(deps, owner, repo, known),
    audit: async (owner, repo, opts, known) => auditRepo(deps, owner, repo, opts, known),
    resolveTarget: async (owner, repo, text, tz, known) =>
      resolveTargetWords(deps, owner, repo, text, tz, known),
    undoTarget: async (owner, repo) => undoTarget(deps, owner, repo),
    lock: async (owner, repo, req, known) => lockRepo(deps, owner, repo, req, known),
    unlock: async (owner, repo, by, known) => unlockRepo(deps, owner, repo, by, known),
    activeLock: (owner, repo) => activeLock(deps, owner, repo),
    checkLock: (owner, repo, opts) => checkLock(deps, owner, repo, opts),
    integrations: {
      add: (input) => addIntegration(deps, input),
      update: (input) => updateIntegration(deps, input),
      list: () => listIntegrations(deps),
      remove: (owner, repo) => removeIntegration(deps, owner, repo),
    },
  };
}
