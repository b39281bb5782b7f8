import type { AuditItem, AuditReport } from '../domain/records.ts';
import type { ServiceDeps } from './deps.ts';
import { type KnownIntegration, requireIntegration } from './guards.ts';

export type { AuditItem, AuditReport };

/**
 * Who deployed or rolled back what, when, who confirmed it and how long it took: from the records (the
 * truth of what ran) and the confirmations that started them, plus the repo's locks.
 */
export function auditRepo(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  opts: { readonly limit: number; readonly operation?: 'deploy' | 'rollback' | null },
  known?: KnownIntegration,
): AuditReport {
  const i = requireIntegration(deps, owner, repo, known);
  const all = deps.deployments.history(i.owner, i.repo, Math.max(opts.limit * 5, 50));
  const byId = new Map(all.map((d) => [d.id, d]));
  const picked = all.filter((d) => !opts.operation || d.operation === opts.operation).slice(0, opts.limit);
  const confirmations = deps.confirmations?.forDeployments(picked.map((d) => d.id)) ?? [];
  const confirmedBy = new Map(confirmations.map((c) => [c.deploymentId, c.decidedBy]));
  return {
    owner: i.owner,
    repo: i.repo,
    items: picked.map((d) => ({
      deployment: d,
      confirmedBy: confirmedBy.get(d.id) ?? null,
      fromSha: d.rollbackFromId === null ? null : (byId.get(d.rollbackFromId)?.commitSha ?? null),
    })),
    locks: deps.locks?.recent(i.owner, i.repo, 5) ?? [],
    running: deps.deployments.current(i.owner, i.repo),
  };
}
