import type {
  Deployment,
  DeploymentStatus,
  Integration,
  Operation,
  RepoPin,
  RequestChannel,
} from '../domain/deployment.ts';
import type { Lang } from '../domain/intent.ts';
import type { RepoLock } from '../domain/records.ts';

/** Raw SourceBuild run as NCP reports it. */
export interface BuildRun {
  readonly buildId: string;
  /**
   * prepare | upload | success | fail | canceled, or something new NCP adds; null is documented too
   * ("if there is no initial job, display null"): the run is still being prepared.
   */
  readonly status: string | null;
  readonly failedPhase: string | null;
  /** The build history carries no message; kept for a field NCP may add. */
  readonly message: string | null;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
}

/** Raw SourceDeploy run (one history id) as NCP reports it. */
export interface DeployRun {
  readonly historyId: string;
  /** success, fail, inprogress, pending (waiting for an approver), reject, canceling, canceled, ... */
  readonly status: string;
  /** The history detail documents no message; kept for a field NCP may add. */
  readonly message: string | null;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
}

/** One item of SourceDeploy GetHistories: which scenario ran, when, and how it stands. */
export interface DeployHistoryItem {
  readonly historyId: string;
  readonly stageId: string | null;
  readonly scenarioId: string | null;
  readonly status: string | null;
  /** SDK: `startTime` int32, so seconds; read as the detail's times are (a value below 1e12 is seconds). */
  readonly startedAt: Date | null;
}

/** GetHistories pages: NCP takes `pageSize` up to 100. */
export const DEPLOY_HISTORY_PAGE_MAX = 100;

export interface DeployTarget {
  readonly projectId: string;
  readonly stageId: string;
  readonly scenarioId: string;
}

export interface SourceRepo {
  /** SourceCommit project id: the repository lives at `<git base>/<projectId>/<repoName>.git`. */
  readonly projectId: string;
  /** SourceCommit repository name. */
  readonly repoName: string;
  readonly branch: string;
}

export interface CommitInfo {
  /** The application commit: the bot's own manifest commits on top of a branch are skipped. */
  readonly sha: string;
  readonly message: string | null;
  /** The commit the ref points at when it is a bot manifest commit above `sha`; null otherwise. */
  readonly headSha?: string | null;
}

/** `cmd.dockerbuild` of a SourceBuild project: what the build pushes to NCR. */
export interface DockerBuildSettings {
  readonly use?: boolean | undefined;
  readonly dockerfile?: string | undefined;
  readonly registry?: string | undefined;
  readonly image?: string | undefined;
  readonly tag?: string | undefined;
  readonly latest?: boolean | undefined;
}

/** The parts of a SourceBuild project (GetProject) the bot reads before it changes anything. */
export interface BuildProjectSettings {
  readonly sourceType: string | null;
  readonly repository: string | null;
  /** The branch every build builds the head of. */
  readonly branch: string | null;
  readonly dockerbuild: DockerBuildSettings | null;
}

/** A partial ChangeProject: only the blocks given are sent. */
export interface BuildProjectChange {
  readonly source?: { readonly type: string; readonly repository: string; readonly branch: string };
  readonly dockerbuild?: DockerBuildSettings;
}

/** A run to cancel: CancelBuild (DELETE /project/{id}/build) or CancelDeploy (POST .../history/{h}/cancel). */
export type CancelTarget =
  | { readonly kind: 'build'; readonly projectId: string; readonly buildId: string }
  | { readonly kind: 'deploy'; readonly projectId: string; readonly historyId: string };

/** Everything the services ask of Naver Cloud Platform. The real client and the simulator both satisfy it. */
export interface NcpPort {
  readonly mode: 'ncp' | 'simulator';
  getBuildProject(projectId: string): Promise<BuildProjectSettings>;
  changeBuildProject(projectId: string, change: BuildProjectChange): Promise<void>;
  /** StartBuild with no body: NCP builds the head of the project's branch under its configured tag. */
  startBuild(projectId: string): Promise<{ buildId: string }>;
  getBuild(projectId: string, buildId: string): Promise<BuildRun | null>;
  /** GetBuildHistory: every run of the project NCP lists, as it lists them (newest first). */
  listBuilds(projectId: string): Promise<BuildRun[]>;
  runScenario(target: DeployTarget): Promise<{ historyId: string }>;
  getDeployRun(projectId: string, historyId: string): Promise<DeployRun>;
  /** GetHistories of a SourceDeploy project, one page (`pageSize` 1..100, `pageNo` from 1), newest first. */
  listDeployHistories(
    projectId: string,
    page?: { readonly pageNo?: number; readonly pageSize?: number },
  ): Promise<DeployHistoryItem[]>;
  /** Accept or reject a run waiting for approval (`pending`). */
  decideApproval(projectId: string, historyId: string, decision: 'accept' | 'reject'): Promise<void>;
  cancel(target: CancelTarget): Promise<void>;
  imageExists(
    registryHost: string,
    image: string,
    tag: string,
  ): Promise<{ exists: boolean; httpStatus: number }>;
  listTags(registryHost: string, image: string): Promise<string[]>;
  /**
   * Sets the image of the deploy manifest and pushes the commit; `changed` false when it already pointed
   * there. `previousImage` is what the manifest named before, so a failed start can put it back.
   */
  setManifestImage(
    repo: SourceRepo,
    manifestPath: string,
    imageRef: string,
    message: string,
  ): Promise<{ commitSha: string; changed: boolean; previousImage: string | null }>;
  /** Force-pushes `commitSha` to `branch` (the branch the SourceBuild project builds). */
  pushBuildBranch(repo: SourceRepo, commitSha: string, branch: string): Promise<void>;
  /** Resolves a branch, tag or commit prefix in the SourceCommit repository to its application commit. */
  resolveRef(repo: SourceRepo, ref: string): Promise<CommitInfo | null>;
  /** Whether `commitSha` is `ancestorSha` or has it in its history (so deploying it brings that code back). */
  commitContains(repo: SourceRepo, commitSha: string, ancestorSha: string): Promise<boolean>;
}

export interface NewDeployment {
  readonly owner: string;
  readonly repo: string;
  readonly commitSha: string | null;
  readonly commitMessage: string | null;
  readonly ref: string | null;
  readonly operation: Operation;
  readonly rollbackFromId: number | null;
  readonly status: DeploymentStatus;
  readonly image: string | null;
  readonly imageTag: string | null;
  readonly requestKey: string | null;
  readonly requestedBy: string | null;
  readonly requestedVia: RequestChannel;
  readonly lang: Lang;
  readonly slackChannel: string | null;
  readonly slackThreadTs: string | null;
}

export type DeploymentPatch = Partial<
  Pick<
    Deployment,
    | 'status'
    | 'ncpStatus'
    | 'buildId'
    | 'deployHistoryId'
    | 'commitSha'
    | 'commitMessage'
    | 'image'
    | 'imageTag'
    | 'slackMessageTs'
    | 'startedAt'
    | 'deployedAt'
    | 'completedAt'
    | 'durationMs'
    | 'errorMessage'
    | 'errorStage'
    | 'stage'
    | 'endedBy'
    | 'verifyStatus'
    | 'verification'
    | 'verifyState'
    | 'verifyMessageTs'
    | 'reason'
  >
>;

export interface DeploymentStore {
  /**
   * Inserts a record. Throws KlepaasError DEPLOYMENT_IN_FLIGHT when the repo already has one in flight
   * (enforced by a partial unique index). With a requestKey already used, returns the existing record.
   */
  create(d: NewDeployment): Deployment;
  get(id: number): Deployment | null;
  findByRequestKey(key: string): Deployment | null;
  update(id: number, patch: DeploymentPatch): Deployment;
  /**
   * Ends a record only while it is still in flight (one conditional UPDATE), so two processes that both
   * decide a record's end cannot both write it: the loser gets null and sends nothing.
   */
  updateIfInFlight(id: number, patch: DeploymentPatch): Deployment | null;
  /** The record that stored this NCP run id, if any (a run already claimed is never adopted again). */
  findByRunId(kind: 'build' | 'deploy', runId: string): Deployment | null;
  /** Successful non-rollback deploys, newest first, one per commit (the rollback candidates). */
  successfulDeploys(owner: string, repo: string, limit: number): Deployment[];
  /** All deployments newest first. */
  history(owner: string, repo: string, limit: number): Deployment[];
  /** The newest successful deployment of any kind: what is running now. */
  current(owner: string, repo: string): Deployment | null;
  inFlight(owner: string, repo: string): Deployment | null;
  allInFlight(): Deployment[];
  /** Records whose verification is still running (resumed at start like the in-flight ones). */
  allVerifying(): Deployment[];
  latest(owner: string, repo: string): Deployment | null;
  countSuccessful(owner: string, repo: string): number;
  /** Successful deploys whose full SHA starts with the prefix (distinct commits). */
  findByCommitPrefix(owner: string, repo: string, prefix: string): Deployment[];
}

export interface IntegrationInput {
  readonly owner: string;
  readonly repo: string;
  readonly scProjectId?: string | null;
  readonly scRepoName?: string | null;
  readonly buildProjectId?: string | null;
  readonly deployProjectId?: string | null;
  readonly deployStageId?: string | null;
  readonly deployScenarioId?: string | null;
  readonly registryHost?: string | null;
  readonly imageName?: string | null;
  readonly defaultBranch?: string | null;
  readonly buildBranch?: string | null;
  readonly manifestPath?: string | null;
  readonly noticeChannel?: string | null;
  readonly deployers?: readonly string[];
  readonly healthUrl?: string | null;
  readonly metricsUrl?: string | null;
  readonly verifyWindowMs?: number | null;
  readonly verifyMaxErrorShare?: number | null;
  readonly verifyMaxP95Ms?: number | null;
  readonly autoRollback?: boolean | null;
}

export interface IntegrationStore {
  /** Case-insensitive lookup. */
  find(owner: string, repo: string): Integration | null;
  /** Integrations whose repo name matches, any owner, case-insensitive. */
  findByRepoName(repo: string): Integration[];
  list(): Integration[];
  /** Insert, or update the given fields when owner/repo exists. */
  upsert(input: IntegrationInput): Integration;
  remove(owner: string, repo: string): boolean;
}

export interface AuditEntry {
  readonly actor: string | null;
  readonly via: RequestChannel;
  readonly text: string;
  readonly intent: unknown;
  readonly outcome: string;
  readonly deploymentId?: number | null;
  readonly errorCode?: string | null;
}

export interface AuditStore {
  record(entry: AuditEntry): void;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Called by the services once a deployment is started, so the poller follows it. */
export interface DeploymentTracker {
  track(deploymentId: number): Promise<void>;
}

/** A rollback or deploy waiting for the requester's yes; stored so any bot process can take the press. */
export interface PendingAction {
  readonly id: string;
  readonly kind: 'rollback' | 'deploy' | 'choose_repo';
  /** The request as understood (intent, plan), JSON-serialisable. */
  readonly payload: unknown;
  readonly requestedBy: string | null;
  readonly via: RequestChannel;
  readonly lang: Lang;
  readonly slackChannel: string | null;
  readonly slackThreadTs: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly state: 'pending' | 'confirmed' | 'canceled' | 'expired';
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly deploymentId: number | null;
}

export interface PendingActionStore {
  create(a: Omit<PendingAction, 'state' | 'decidedBy' | 'decidedAt' | 'deploymentId'>): PendingAction;
  get(id: string): PendingAction | null;
  /**
   * Moves a pending action to `state` only if it is still pending and not expired at `now`; returns the
   * updated row, or null when someone else decided first (so a double press starts nothing twice).
   */
  decide(id: string, state: 'confirmed' | 'canceled', by: string | null, now: Date): PendingAction | null;
  attachDeployment(id: string, deploymentId: number): void;
}

/** Remembers delivered event ids (Slack retries reuse them) so a retried event runs nothing twice. */
export interface EventLog {
  /** True the first time an id is seen; false for every repeat. */
  firstSeen(eventId: string, now: Date): boolean;
}

export type { RepoLock };

export interface LockStore {
  /** The active lock at `now`, or null. */
  active(owner: string, repo: string, now: Date): RepoLock | null;
  /** Releases any active lock (by the new locker) and takes a new one, in one transaction. */
  take(l: Omit<RepoLock, 'id' | 'releasedAt' | 'releasedBy'>): RepoLock;
  /** Releases the active lock; null when there was none. */
  release(owner: string, repo: string, by: string | null, now: Date): RepoLock | null;
  /** Locks of the repo, newest first, active or not. */
  recent(owner: string, repo: string, limit: number): RepoLock[];
}

/** Who confirmed a deployment's request: the decided pending action that started it. */
export interface Confirmation {
  readonly deploymentId: number;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly requestedBy: string | null;
}

export interface ConfirmationReader {
  forDeployments(ids: readonly number[]): Confirmation[];
}

/** Per-conversation memory (a Slack thread, a console session); the dispatcher owns the state's shape. */
export interface ConversationStore {
  get(key: string): unknown;
  put(key: string, state: unknown, now: Date): void;
}

export interface PinStore {
  /** Inserts the pin of a rollback; the same rollback again returns the first pin. */
  pin(p: Omit<RepoPin, 'id' | 'remindedAt' | 'unpinnedAt' | 'unpinnedBy' | 'unpinReason'>): RepoPin;
  active(owner: string, repo: string, now: Date): RepoPin | null;
  /** Ends every active pin of the repo; returns them. */
  unpin(owner: string, repo: string, by: string | null, reason: string, now: Date): RepoPin[];
  /** Active pins expiring within `leadMs` whose reminder has not gone out. */
  dueReminders(now: Date, leadMs: number): RepoPin[];
  /** Claims a pin's reminder: true once, for one caller, ever. */
  claimReminder(id: number, now: Date): boolean;
}
