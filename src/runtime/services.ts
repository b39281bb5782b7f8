import type { Deployment, Integration, Requester } from '../domain/deployment.ts';
import type { CandidateList, DeployPlan, DiagnoseReport, RollbackPlan } from '../domain/reports.ts';
import { executeDeploy, planDeploy } from '../services/deploy.ts';
import type { DeploySelector, RollbackSelector, ServiceDeps } from '../services/deps.ts';
import {
  addIntegration,
  listIntegrations,
  removeIntegration,
  updateIntegration,
} from '../services/integrations.ts';
import type { IntegrationInput } from '../services/ports.ts';
import { candidates, diagnose, history, status } from '../services/queries.ts';
import { executeRollback, planRollback } from '../services/rollback.ts';
import { continueAfterBuild } from '../services/start.ts';

export type { DeploySelector, RollbackSelector, ServiceDeps };

/** Every use case with its dependencies bound; what the dispatcher, the CLI and the poller call. */
export interface Services {
  planRollback(owner: string, repo: string, selector: RollbackSelector): Promise<RollbackPlan>;
  executeRollback(plan: RollbackPlan, requester: Requester, requestKey: string | null): Promise<Deployment>;
  planDeploy(owner: string, repo: string, selector: DeploySelector): Promise<DeployPlan>;
  executeDeploy(plan: DeployPlan, requester: Requester, requestKey: string | null): Promise<Deployment>;
  /** For the poller: the build of a `building` record succeeded; update the manifest and run the scenario. */
  continueAfterBuild(deploymentId: number): Promise<Deployment>;
  candidates(owner: string, repo: string, limit?: number): Promise<CandidateList>;
  history(owner: string, repo: string, limit?: number): Promise<Deployment[]>;
  status(owner: string, repo: string): Promise<Deployment | null>;
  diagnose(owner: string, repo: string): Promise<DiagnoseReport>;
  integrations: {
    add(input: IntegrationInput): Integration;
    update(input: IntegrationInput): Integration;
    list(): Integration[];
    remove(owner: string, repo: string): void;
  };
}

export function createServices(deps: ServiceDeps): Services {
  return {
    planRollback: (owner, repo, sel) => planRollback(deps, owner, repo, sel),
    executeRollback: (plan, requester, key) => executeRollback(deps, plan, requester, key),
    planDeploy: (owner, repo, sel) => planDeploy(deps, owner, repo, sel),
    executeDeploy: (plan, requester, key) => executeDeploy(deps, plan, requester, key),
    continueAfterBuild: (id) => continueAfterBuild(deps, id),
    candidates: (owner, repo, limit) => candidates(deps, owner, repo, limit),
    history: (owner, repo, limit) => history(deps, owner, repo, limit),
    status: (owner, repo) => status(deps, owner, repo),
    diagnose: (owner, repo) => diagnose(deps, owner, repo),
    integrations: {
      add: (input) => addIntegration(deps, input),
      update: (input) => updateIntegration(deps, input),
      list: () => listIntegrations(deps),
      remove: (owner, repo) => removeIntegration(deps, owner, repo),
    },
  };
}
