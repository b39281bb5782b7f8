import type { RequestChannel } from '../domain/deployment.ts';
import type { ServiceDeps } from './deps.ts';
import { type KnownIntegration, requireIntegration } from './guards.ts';
import type { RepoLock } from './ports.ts';
import { repoLocked } from './rules/refusals.ts';

/** A lock without a duration lasts an hour; none lasts past a week, so a forgotten lock ends. */
export const DEFAULT_LOCK_MINUTES = 60;
export const MAX_LOCK_MINUTES = 7 * 24 * 60;

export interface LockRequest {
  readonly by: string | null;
  readonly via: RequestChannel;
  readonly minutes: number | null;
  readonly reason: string | null;
}

export function lockRepo(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  req: LockRequest,
  known?: KnownIntegration,
): { readonly lock: RepoLock; readonly replaced: RepoLock | null } {
  const i = requireIntegration(deps, owner, repo, known);
  if (!deps.locks) throw new Error('lock store not configured');
  const now = deps.clock.now();
  const minutes = Math.min(Math.max(req.minutes ?? DEFAULT_LOCK_MINUTES, 1), MAX_LOCK_MINUTES);
  const replaced = deps.locks.active(i.owner, i.repo, now);
  const lock = deps.locks.take({
    owner: i.owner,
    repo: i.repo,
    lockedBy: req.by,
    via: req.via,
    reason: req.reason,
    lockedAt: now,
    expiresAt: new Date(now.getTime() + minutes * 60_000),
  });
  deps.logger.info(
    { module: 'services', owner: i.owner, repo: i.repo, minutes, lockId: lock.id },
    'repo locked',
  );
  return { lock, replaced };
}

export function unlockRepo(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  by: string | null,
  known?: KnownIntegration,
): RepoLock | null {
  const i = requireIntegration(deps, owner, repo, known);
  return deps.locks?.release(i.owner, i.repo, by, deps.clock.now()) ?? null;
}

export function activeLock(deps: ServiceDeps, owner: string, repo: string): RepoLock | null {
  return deps.locks?.active(owner, repo, deps.clock.now()) ?? null;
}

/**
 * Refuses a deploy or rollback of a locked repo, naming who, why and until when. `force` from someone
 * who may deploy passes; the caller records the override. Returns the lock that was overridden.
 */
export function checkLock(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  opts: { readonly force: boolean; readonly mayForce: boolean },
): RepoLock | null {
  const lock = activeLock(deps, owner, repo);
  if (!lock) return null;
  if (opts.force && opts.mayForce) return lock;
  throw repoLocked(lock, opts.mayForce);
}
