import { z } from 'zod';
import type { Deployment, Integration, RepoPin, Requester } from '../domain/deployment.ts';
import type { Intent, IntentKind } from '../domain/intent.ts';
import { intentSchema } from '../domain/intent.ts';
import type { CandidateList, DeployPlan, DiagnoseReport, RollbackPlan } from '../domain/reports.ts';
import type { Logger } from '../log/logger.ts';
import type { AuditReport } from '../services/audit.ts';
import type { CancelOutcome, CancelRequest } from '../services/cancel.ts';
import type { LockRequest } from '../services/locks.ts';
import type {
  AuditStore,
  Clock,
  ConversationStore,
  DeploymentStore,
  IntegrationStore,
  PendingActionStore,
  RepoLock,
} from '../services/ports.ts';
import type { WordsResolution } from '../services/rules/target-words.ts';

export type RollbackSelector =
  | { readonly stepsBack: number }
  /** `faultyOk`: the target may be a rolled-away-from version, chosen on purpose ("undo that"). */
  | { readonly commitSha: string; readonly faultyOk?: boolean };
export type DeploySelector = { readonly ref: string | null } | { readonly commitSha: string };

/** The use cases the dispatcher calls; the services module provides them. */
export interface BotServices {
  // `known`: the integration this request already read, so it is not read again (null: read it).
  planRollback(owner: string, repo: string, selector: RollbackSelector, known: Known): Promise<RollbackPlan>;
  executeRollback(
    plan: RollbackPlan,
    requester: Requester,
    requestKey: string,
    known: Known,
  ): Promise<Deployment>;
  planDeploy(owner: string, repo: string, selector: DeploySelector, known: Known): Promise<DeployPlan>;
  executeDeploy(
    plan: DeployPlan,
    requester: Requester,
    requestKey: string,
    known: Known,
  ): Promise<Deployment>;
  candidates(owner: string, repo: string, limit: number | undefined, known: Known): Promise<CandidateList>;
  history(owner: string, repo: string, limit: number, known: Known): Promise<Deployment[]>;
  status(owner: string, repo: string, known: Known): Promise<Deployment | null>;
  diagnose(owner: string, repo: string, known: Known): Promise<DiagnoseReport>;
  audit(
    owner: string,
    repo: string,
    opts: { limit: number; operation?: 'deploy' | 'rollback' | null },
    known: Known,
  ): Promise<AuditReport>;
  resolveTarget(
    owner: string,
    repo: string,
    text: string,
    timeZone: string,
    known: Known,
  ): Promise<WordsResolution>;
  undoTarget(owner: string, repo: string): Promise<{ commitSha: string; rollbackId: number }>;
  lock(
    owner: string,
    repo: string,
    req: LockRequest,
    known: Known,
  ): Promise<{ lock: RepoLock; replaced: RepoLock | null }>;
  unlock(owner: string, repo: string, by: string | null, known: Known): Promise<RepoLock | null>;
  activeLock(owner: string, repo: string): RepoLock | null;
  /** The pin after a rollback (absent in front ends built without pins). */
  activePin?(owner: string, repo: string): RepoPin | null;
  checkLock(owner: string, repo: string, opts: { force: boolean; mayForce: boolean }): RepoLock | null;
  cancelRunning(d: Deployment, req?: CancelRequest): Promise<CancelOutcome>;
}

type Known = Integration | null;

export interface IntentParser {
  parse(text: string, opts?: { hint?: IntentKind }): Promise<Intent>;
}

export interface DispatcherDeps {
  readonly parser: IntentParser;
  readonly services: BotServices;
  readonly integrations: Pick<IntegrationStore, 'find' | 'findByRepoName' | 'list'>;
  readonly pending: PendingActionStore;
  readonly deployments: Pick<DeploymentStore, 'get' | 'current' | 'inFlight'>;
  /** Per-thread / per-session memory for follow-ups; any process reads the same rows. */
  readonly conversations: ConversationStore;
  /** Zone for reading times in words ("어제", "3pm"). */
  readonly timeZone: string;
  readonly audit: AuditStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly newId: () => string;
  readonly confirmTtlMs: number;
  /** Slack user ids who may confirm anyone's request. */
  readonly approvers: readonly string[];
  readonly historyLimit?: number;
}

const rollbackSelectorSchema = z.union([
  z.object({ stepsBack: z.number().int().min(1) }),
  z.object({ commitSha: z.string(), faultyOk: z.boolean().optional() }),
]);
const deploySelectorSchema = z.union([
  z.object({ commitSha: z.string() }),
  z.object({ ref: z.string().nullable() }),
]);

/** What a pending confirmation remembers; parsed back with zod because it comes out of the database. */
export const pendingPayloadSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('rollback'),
    owner: z.string(),
    repo: z.string(),
    selector: rollbackSelectorSchema,
    targetSha: z.string(),
    force: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('deploy'),
    owner: z.string(),
    repo: z.string(),
    selector: deploySelectorSchema,
    commitSha: z.string(),
    force: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('choose_repo'), intent: intentSchema, options: z.array(z.string()) }),
]);
export type PendingPayload = z.infer<typeof pendingPayloadSchema>;
