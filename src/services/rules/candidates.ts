import type { Deployment } from '../../domain/deployment.ts';
import { SHA_PATTERN, shortSha } from '../../domain/repo-ref.ts';
import type { Candidate, CandidateList, FaultyVersion, RunningCommit } from '../../domain/reports.ts';
import {
  alreadyRunning,
  ambiguousCommit,
  commitNotDeployed,
  invalidCommit,
  invalidSteps,
  noDeploymentHistory,
  notEnoughHistory,
} from './messages.ts';
import { faultyTarget } from './refusals.ts';

/**
 * The faulty versions: a successful rollback marks the commit it rolled away from; a later plain deploy
 * of that commit, or a rollback that targets it on purpose ("undo that"), clears the mark. A rollback that
 * targets a marked version undoes a rollback, so it marks nothing itself. Walks the records oldest first.
 *
 * `records` are newest first (the store's order), any status; only successes count.
 */
export function faultyVersions(records: readonly Deployment[]): Map<string, FaultyVersion> {
  const byId = new Map(records.map((d) => [d.id, d]));
  const faulty = new Map<string, FaultyVersion>();
  for (let i = records.length - 1; i >= 0; i--) {
    const d = records[i];
    if (d?.status !== 'success' || !d.commitSha) continue;
    if (d.operation === 'deploy' || faulty.has(d.commitSha)) {
      faulty.delete(d.commitSha);
      continue;
    }
    const from = d.rollbackFromId === null ? undefined : byId.get(d.rollbackFromId);
    if (!from?.commitSha || from.commitSha === d.commitSha) continue;
    faulty.set(from.commitSha, {
      commitSha: from.commitSha,
      commitMessage: from.commitMessage,
      deploymentId: from.id,
      rollbackId: d.id,
      rolledAwayAt: d.deployedAt ?? d.completedAt ?? d.requestedAt,
      rolledAwayBy: d.requestedBy,
    });
  }
  return faulty;
}

/**
 * The one definition of "N back", shared by the candidates list, the rollback and diagnose: the commits
 * that actually ran (successful deploys and rollbacks alike), newest first, one per commit at its newest
 * run, without the commit running now and without the faulty (rolled-away-from) versions, numbered 1..k.
 * So after deploy A, deploy B, roll back to A, "1 back" is what ran before A, never B.
 *
 * `records` must be newest first (the store's order), any status; anything but a success is skipped
 * here so a looser query cannot change the numbering.
 */
export function buildCandidateList(
  owner: string,
  repo: string,
  records: readonly Deployment[],
  current: Deployment | null,
): CandidateList {
  const running = current?.commitSha ?? null;
  const marked = faultyVersions(records);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  const faulty: FaultyVersion[] = [];
  for (const d of records) {
    if (d.status !== 'success' || !d.commitSha) continue;
    if (seen.has(d.commitSha)) continue;
    seen.add(d.commitSha);
    if (d.commitSha === running) continue;
    const mark = marked.get(d.commitSha);
    if (mark) {
      faulty.push(mark);
      continue;
    }
    candidates.push({
      n: candidates.length + 1,
      deploymentId: d.id,
      commitSha: d.commitSha,
      commitMessage: d.commitMessage,
      deployedAt: d.deployedAt ?? d.completedAt,
      imageTag: shortSha(d.commitSha),
    });
  }
  return { owner, repo, current: current ? toRunning(current) : null, candidates, faulty };
}

export function toRunning(d: Deployment): RunningCommit | null {
  if (!d.commitSha) return null;
  return {
    commitSha: d.commitSha,
    commitMessage: d.commitMessage,
    deployedAt: d.deployedAt ?? d.completedAt,
    deploymentId: d.id,
    operation: d.operation,
    requestedBy: d.requestedBy,
  };
}

/** The newest successful rollback in `records` (newest first), with the version it rolled away from. */
export function lastRollback(
  records: readonly Deployment[],
): { readonly rollback: Deployment; readonly from: Deployment } | null {
  const byId = new Map(records.map((d) => [d.id, d]));
  for (const d of records) {
    if (d.status !== 'success') continue;
    if (d.operation !== 'rollback') return null;
    const from = d.rollbackFromId === null ? undefined : byId.get(d.rollbackFromId);
    return from?.commitSha ? { rollback: d, from } : null;
  }
  return null;
}

/** Checks a requested step count (from chat or a flag) before it reaches the list. */
export function parseSteps(value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw invalidSteps(value);
  return n;
}

/** Candidate `n` of the list: 1 is the newest commit that ran before the running one, faulty ones skipped. */
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

/** A faulty version as a target (n 0: it is not one of the numbered candidates). */
const faultyAsCandidate = (f: FaultyVersion, deployedAt: Date | null): Candidate => ({
  n: 0,
  deploymentId: f.deploymentId,
  commitSha: f.commitSha,
  commitMessage: f.commitMessage,
  deployedAt,
  imageTag: shortSha(f.commitSha),
});

/**
 * The candidate whose SHA starts with the prefix. The running commit takes part in the match so a prefix
 * that fits both it and a candidate is reported as ambiguous rather than silently resolved. A faulty
 * version is refused, naming the rollback that marked it, unless `faultyOk` (chosen on purpose).
 */
export function selectByPrefix(
  list: CandidateList,
  prefix: string,
  opts: { readonly faultyOk?: boolean } = {},
): Candidate & { readonly faulty?: FaultyVersion } {
  const p = normalizePrefix(prefix);
  const runningMatches = list.current?.commitSha.startsWith(p) ?? false;
  const matches = list.candidates.filter((c) => c.commitSha.startsWith(p));
  const faulty = list.faulty.filter((f) => f.commitSha.startsWith(p));
  const all = [
    ...(runningMatches && list.current ? [list.current.commitSha] : []),
    ...matches.map((c) => c.commitSha),
    ...faulty.map((f) => f.commitSha),
  ];
  if (all.length > 1) throw ambiguousCommit(list.owner, list.repo, p, all);
  const [only] = matches;
  if (only) return only;
  const [bad] = faulty;
  if (bad) {
    if (!opts.faultyOk) throw faultyTarget(list.owner, list.repo, bad);
    return { ...faultyAsCandidate(bad, null), faulty: bad };
  }
  if (runningMatches && list.current) throw alreadyRunning(list.owner, list.repo, list.current.commitSha);
  if (list.current === null && list.candidates.length === 0) throw noDeploymentHistory(list.owner, list.repo);
  throw commitNotDeployed(list.owner, list.repo, p);
}
