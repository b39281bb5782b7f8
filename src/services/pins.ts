import type { Deployment, RepoPin } from '../domain/deployment.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { ServiceDeps } from './deps.ts';
import type { ReadyIntegration } from './guards.ts';
import { repoPinned } from './rules/pin-messages.ts';

export const DEFAULT_PIN_TTL_MS = 24 * 3600_000;
/** Reminders go out this long before a pin ends (or at once, for a pin shorter than this). */
export const PIN_REMINDER_LEAD_MS = 60 * 60_000;

/**
 * A rollback that reached success pins the repo to it: reason "rolled back from X", for `pinTtlMs`. The
 * newest rollback's pin replaces older ones (it names the newest code taken away). Idempotent per rollback.
 */
export function pinAfterRollback(deps: ServiceDeps, rollbackId: number): RepoPin | null {
  const d = deps.deployments.get(rollbackId);
  if (!deps.pins || d?.operation !== 'rollback' || d.status !== 'success') return null;
  const from = d.rollbackFromId !== null ? deps.deployments.get(d.rollbackFromId) : null;
  if (!from?.commitSha || from.commitSha === d.commitSha) return null;
  const now = deps.clock.now();
  const pinned = deps.pins.active(d.owner, d.repo, now);
  if (pinned?.rollbackId === d.id) return pinned;
  deps.pins.unpin(d.owner, d.repo, null, `replaced by the pin of rollback #${d.id}`, now);
  const pin = deps.pins.pin({
    owner: d.owner,
    repo: d.repo,
    rollbackId: d.id,
    fromDeploymentId: from.id,
    fromSha: from.commitSha,
    fromMessage: from.commitMessage,
    reason: `rolled back from ${shortSha(from.commitSha)}`,
    pinnedAt: now,
    expiresAt: new Date(now.getTime() + (deps.pinTtlMs ?? DEFAULT_PIN_TTL_MS)),
  });
  deps.logger.info({ module: 'services', pinId: pin.id, rollbackId: d.id }, 'repo pinned after rollback');
  return pin;
}

export const activePin = (deps: ServiceDeps, owner: string, repo: string): RepoPin | null =>
  deps.pins?.active(owner, repo, deps.clock.now()) ?? null;

/**
 * A pin guards deploys only: one whose commit still contains the rolled-away-from commit is refused
 * unless forced (returns the pin passed, for the record); a fix without it goes through (null).
 */
export async function checkPin(
  deps: ServiceDeps,
  ready: ReadyIntegration,
  targetSha: string,
  force: boolean,
): Promise<RepoPin | null> {
  const pin = activePin(deps, ready.integration.owner, ready.integration.repo);
  if (!pin) return null;
  const back = await deps.ncp.commitContains(ready.source, targetSha, pin.fromSha);
  if (!back) return null;
  if (force) return pin;
  throw repoPinned(pin, targetSha);
}

export function unpinRepo(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  by: string | null,
  reason: string,
): RepoPin[] {
  return deps.pins?.unpin(owner, repo, by, reason, deps.clock.now()) ?? [];
}

/** A deploy that passed verification lands: the pin has done its job. */
export function unpinAfterVerifiedDeploy(deps: ServiceDeps, d: Deployment): RepoPin[] {
  if (d.operation !== 'deploy') return [];
  return unpinRepo(deps, d.owner, d.repo, null, `deploy #${d.id} passed verification`);
}

/** Pins whose reminder is due, each claimed so it goes out once whichever process sweeps. */
export function claimPinReminders(deps: ServiceDeps, leadMs = PIN_REMINDER_LEAD_MS): RepoPin[] {
  if (!deps.pins) return [];
  const now = deps.clock.now();
  const due = deps.pins.dueReminders(now, leadMs);
  return due.filter((p) => deps.pins?.claimReminder(p.id, now));
}
