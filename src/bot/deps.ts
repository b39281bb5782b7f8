import { z } from 'zod';
import type { Deployment, Requester } from '../domain/deployment.ts';
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

export type RollbackSelector = { readonly stepsBack: number } | { readonly commitSha: string };
export type DeploySelector = { readonly ref: string | null } | { readonly commitSha: string };

/** The use cases the dispatcher calls; the services module provides them. */
export interface BotServices {
  planRollback(owner: string, repo: string, selector: RollbackSelector): Promise<RollbackPlan>;
  executeRollback(plan: RollbackPlan, requester: Requester, requestKey: string): Promise<Deployment>;
  planDeploy(owner: string, repo: string, selector: DeploySelector): Promise<DeployPlan>;
  executeDeploy(plan: DeployPlan, requester: Requester, requestKey: string): Promise<Deployment>;
  candidates(owner: string, repo: string): Promise<CandidateList>;
  history(owner: string, repo: string, limit: number): Promise<Deployment[]>;
  status(owner: string, repo: string): Promise<Deployment | null>;
  diagnose(owner: string, repo: string): Promise<DiagnoseReport>;
}

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
  z.object({ commitSha: z.string() }),
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
