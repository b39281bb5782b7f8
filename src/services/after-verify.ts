import { BOT_ACTOR, type VerifyFailure } from '../domain/verification.ts';
import { failureLine } from '../domain/verify-wording.ts';
import type { ServiceDeps } from './deps.ts';
import { executeRollback, planRollback } from './rollback.ts';

/** The request key of the bot's own rollback after deployment `id`: one per failed deployment, ever. */
export const autoRollbackKey = (id: number): string => `auto-rollback:${id}`;

/**
 * After a deploy failed verification: find what "1 back" means (the button a person can press) and, when
 * the integration asks for it, start that rollback as the bot. The request key makes it one rollback
 * however often this runs (a restart between the verdict and its notice runs it again). A rollback that
 * failed verification is never followed by another one: people decide.
 */
export async function afterVerificationFailure(
  deps: ServiceDeps,
  id: number,
  failed: VerifyFailure,
): Promise<{ rollbackTargetSha: string | null; autoRollbackId: number | null }> {
  const d = deps.deployments.get(id);
  if (d?.operation !== 'deploy') return { rollbackTargetSha: null, autoRollbackId: null };
  const log = deps.logger.child({ module: 'services', deploymentId: id });
  const key = autoRollbackKey(id);
  const earlier = deps.deployments.findByRequestKey(key);
  if (earlier) return { rollbackTargetSha: earlier.commitSha, autoRollbackId: earlier.id };
  let plan: Awaited<ReturnType<typeof planRollback>>;
  try {
    plan = await planRollback(deps, d.owner, d.repo, { stepsBack: 1 });
  } catch (err) {
    log.warn({ err }, 'no rollback target after the failed verification');
    return { rollbackTargetSha: null, autoRollbackId: null };
  }
  const integration = deps.integrations.find(d.owner, d.repo);
  if (!integration?.autoRollback) return { rollbackTargetSha: plan.target.commitSha, autoRollbackId: null };
  const reason = `verification of #${d.id} failed: ${failureLine(failed, 'en')}`;
  const rb = await executeRollback(
    deps,
    plan,
    {
      via: d.requestedVia,
      user: BOT_ACTOR,
      lang: d.lang,
      slackChannel: d.slackChannel,
      slackThreadTs: d.slackThreadTs ?? (d.slackChannel ? d.slackMessageTs : null),
      reason,
    },
    key,
    integration,
  );
  deps.audit?.record({
    actor: BOT_ACTOR,
    via: d.requestedVia,
    text: reason,
    intent: { kind: 'auto_rollback', from: d.id, to: plan.target.commitSha },
    outcome: 'started',
    deploymentId: rb.id,
  });
  log.info({ rollbackId: rb.id, reason }, 'automatic rollback started');
  return { rollbackTargetSha: rb.commitSha, autoRollbackId: rb.id };
}
