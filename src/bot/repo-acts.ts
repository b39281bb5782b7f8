import type { Integration } from '../domain/deployment.ts';
import type { Intent } from '../domain/intent.ts';
import { formatRepo, type RepoRef } from '../domain/repo-ref.ts';
import { nothingToCancel } from '../services/rules/refusals.ts';
import type { DispatcherDeps } from './deps.ts';
import { notADeployer } from './errors.ts';
import type { Actor, BotReply } from './types.ts';

/** Cancel of a running operation, audit, lock and unlock on a resolved repo. */
export function createRepoActs(deps: DispatcherDeps) {
  return async function repoActs(
    intent: Intent,
    actor: Actor,
    text: string,
    ref: RepoRef,
    known: Integration | null,
    mayDeploy: boolean,
  ): Promise<BotReply> {
    const { owner, repo } = ref;
    const lang = intent.lang;
    switch (intent.intent) {
      case 'cancel': {
        const flying = deps.deployments.inFlight(owner, repo);
        if (!flying) throw nothingToCancel();
        if (!mayDeploy) throw notADeployer(formatRepo(ref));
        const out = await deps.services.cancelRunning(flying);
        return { kind: 'cancel_running', lang, deployment: out.deployment, accepted: out.accepted };
      }
      case 'audit': {
        const operation = /롤백|rollback|revert|되돌/i.test(text)
          ? 'rollback'
          : /배포|deploy/i.test(text)
            ? 'deploy'
            : null;
        const report = await deps.services.audit(owner, repo, { limit: 10, operation }, known);
        return { kind: 'audit', lang, report };
      }
      case 'lock': {
        if (!mayDeploy) throw notADeployer(formatRepo(ref));
        const req = { by: actor.user, via: actor.via, minutes: intent.minutes, reason: intent.note };
        const { lock, replaced } = await deps.services.lock(owner, repo, req, known);
        return { kind: 'locked', lang, lock, replaced };
      }
      case 'unlock': {
        if (!mayDeploy) throw notADeployer(formatRepo(ref));
        const lock = await deps.services.unlock(owner, repo, actor.user, known);
        return { kind: 'unlocked', lang, owner, repo, lock };
      }
      default:
        throw new Error(`not a repo act: ${intent.intent}`);
    }
  };
}
