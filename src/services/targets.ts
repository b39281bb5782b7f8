import type { Candidate, CandidateList, FaultyVersion } from '../domain/reports.ts';
import type { RollbackSelector, ServiceDeps } from './deps.ts';
import {
  buildCandidateList,
  lastRollback,
  normalizePrefix,
  selectByPrefix,
  selectByStep,
} from './rules/candidates.ts';
import { nothingToUndo } from './rules/refusals.ts';

/**
 * Records read to number "N back": what ran, newest first, with the failures between. Enough for any
 * step count a person asks for; a commit prefix beyond it falls back to the whole history.
 */
const RECORD_WINDOW = 500;
const WHOLE_HISTORY = 1_000_000;

/**
 * The candidates list over the newest `limit` commits that ran (the numbering is the same at any limit).
 * One reading of the records for candidates, rollback and diagnose, so their counts agree.
 */
export function candidateList(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  limit: number,
  window = RECORD_WINDOW,
): CandidateList {
  const current = deps.deployments.current(owner, repo);
  const records = deps.deployments.history(owner, repo, Math.max(window, limit * 4));
  const list = buildCandidateList(owner, repo, records, current);
  return { ...list, candidates: list.candidates.slice(0, limit) };
}

/** The list to pick from and how to pick, for a selector from chat, the CLI or a confirmation. */
export interface TargetPick {
  readonly list: CandidateList;
  readonly pick: (l: CandidateList) => Candidate & { readonly faulty?: FaultyVersion };
}

export function pickTarget(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  sel: RollbackSelector,
): TargetPick {
  if ('stepsBack' in sel) {
    const limit = Number.isSafeInteger(sel.stepsBack) ? Math.max(sel.stepsBack, 1) : 1;
    return {
      list: candidateList(deps, owner, repo, Math.max(limit, 200)),
      pick: (l: CandidateList) => selectByStep(l, sel.stepsBack),
    };
  }
  const prefix = normalizePrefix(sel.commitSha);
  const opts = { faultyOk: sel.faultyOk === true };
  let list = candidateList(deps, owner, repo, RECORD_WINDOW);
  const inWindow =
    list.candidates.some((c) => c.commitSha.startsWith(prefix)) ||
    list.faulty.some((f) => f.commitSha.startsWith(prefix));
  // An old commit is still a valid target; only then pay for the long list.
  if (!inWindow && deps.deployments.findByCommitPrefix(owner, repo, prefix).length > 0) {
    list = candidateList(deps, owner, repo, WHOLE_HISTORY, WHOLE_HISTORY);
  }
  return { list, pick: (l: CandidateList) => selectByPrefix(l, prefix, opts) };
}

/**
 * "원래대로" / "undo that": the version the last rollback rolled away from, when the newest thing that
 * ran is a rollback. It is faulty by definition, so the plan takes it on purpose and shows it marked.
 */
export function undoTarget(
  deps: ServiceDeps,
  owner: string,
  repo: string,
): { readonly commitSha: string; readonly rollbackId: number } {
  const last = lastRollback(deps.deployments.history(owner, repo, RECORD_WINDOW));
  if (!last?.from.commitSha) throw nothingToUndo(owner, repo);
  return { commitSha: last.from.commitSha, rollbackId: last.rollback.id };
}
