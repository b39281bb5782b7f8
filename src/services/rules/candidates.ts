import type { Deployment } from '../../domain/deployment.ts';
import { SHA_PATTERN, shortSha } from '../../domain/repo-ref.ts';
import type { Candidate, CandidateList, RunningCommit } from '../../domain/reports.ts';
import {
  alreadyRunning,
  ambiguousCommit,
  commitNotDeployed,
  invalidCommit,
  invalidSteps,
  noDeploymentHistory,
  notEnoughHistory,
} from './messages.ts';

/**
 * The one definition of "N back", shared by the candidates list and the rollback:
 * successful non-rollback deployments, one per commit (its newest), newest first, without the commit that
 * runs now (the newest success of any kind, rollbacks included), numbered 1..k.
 *
 * `deployments` must be newest first (the store's order); anything not a successful plain deploy is
 * skipped here too so a looser query cannot change the numbering.
 */
export function buildCandidateList(
  owner: string,
  repo: string,
  deployments: readonly Deployment[],
  current: Deployment | null,
): CandidateList {
  const running = current?.commitSha ?? null;
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const d of deployments) {
    if (d.status !== 'success' || d.operation !== 'deploy' || !d.commitSha) continue;
    if (seen.has(d.commitSha)) continue;
    seen.add(d.commitSha);
    if (d.commitSha === running) continue;
    candidates.push({
      n: candidates.length + 1,
      deploymentId: d.id,
      commitSha: d.commitSha,
      commitMessage: d.commitMessage,
      deployedAt: d.deployedAt ?? d.completedAt,
      imageTag: shortSha(d.commitSha),
    });
  }
  return { owner, repo, current: current ? toRunning(current) : null, candidates };
}

export function toRunning(d: Deployment): RunningCommit | null {
  if (!d.commitSha) return null;
  return {
    commitSha: d.commitSha,
    commitMessage: d.commitMessage,
    deployedAt: d.deployedAt ?? d.completedAt,
    deploymentId: d.id,
  };
}

/** Checks a requested step count (from chat or a flag) before it reaches the list. */
export function parseSteps(value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw invalidSteps(value);
  return n;
}

/** Candidate `n` of the list: 1 is the newest commit deployed before the running one. */
export function selectByStep(list: CandidateList, n: number): Candidate {
  const steps = parseSteps(n);
  if (list.current === null && list.candidates.length === 0) throw noDeploymentHistory(list.owner, list.repo);
  const found = list.candidates[steps - 1];
  if (!found) throw notEnoughHistory(list.owner, list.repo, steps, list.candidates.length);
  return found;
}

/** Normalises what a person typed as a commit: lower case, 7 to 40 hex digits. */
export function normalizePrefix(prefix: string): string {
  const p = prefix.trim().toLowerCase();
  if (!SHA_PATTERN.test(p)) throw invalidCommit(prefix);
  return p;
}

/**
 * The candidate whose SHA starts with the prefix. The running commit takes part in the match so a prefix
 * that fits both it and a candidate is reported as ambiguous rather than silently resolved.
 */
export function selectByPrefix(list: CandidateList, prefix: string): Candidate {
  const p = normalizePrefix(prefix);
  const runningMatches = list.current?.commitSha.startsWith(p) ?? false;
  const matches = list.candidates.filter((c) => c.commitSha.startsWith(p));
  const all = [
    ...(runningMatches && list.current ? [list.current.commitSha] : []),
    ...matches.map((c) => c.commitSha),
  ];
  if (all.length > 1) throw ambiguousCommit(list.owner, list.repo, p, all);
  const [only] = matches;
  if (only) return only;
  if (runningMatches && list.current) throw alreadyRunning(list.owner, list.repo, list.current.commitSha);
  if (list.current === null && list.candidates.length === 0) throw noDeploymentHistory(list.owner, list.repo);
  throw commitNotDeployed(list.owner, list.repo, p);
}
