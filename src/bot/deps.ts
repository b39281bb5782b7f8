import { z } from 'zod';
import type { Deployment, Integration, Requester } from '../domain/deployment.ts';
import type { Intent, IntentKind } from '../domain/intent.ts';
import { intentSchema } from '../domain/intent.ts';
import type { CandidateList, DeployPlan, DiagnoseReport, RollbackPlan } from '../domain/reports.ts';
import type { Logger } from '../log/logger.ts';
import type {
  AuditStore,
  Clock,
  DeploymentStore,
  IntegrationStore,
  PendingActionStore,
} from '../services/ports.ts';

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
  readonly deployments: Pick<DeploymentStore, 'get'>;
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
  }),
  z.object({
    kind: z.literal('deploy'),
    owner: z.string(),
    repo: z.string(),
    selector: deploySelectorSchema,
    commitSha: z.string(),
  }),
  z.object({ kind: z.literal('choose_repo'), intent: intentSchema, options: z.array(z.string()) }),
]);
export type PendingPayload = z.infer<typeof pendingPayloadSchema>;
