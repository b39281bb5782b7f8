import { parseRepoArg } from '../../runtime/cli-runtime.ts';
import { parseSteps } from '../../services/rules/candidates.ts';
import { invalidInput } from '../../services/rules/messages.ts';
import { renderContextOf, runtimeCommand } from '../command.ts';
import { renderRollbackPlan } from '../render.ts';
import { checkWaitFlags, pollFor, runStarted, startOptions } from '../wait.ts';

export default runtimeCommand({
  summary: 'Roll back to the previous, N-back or a given deployed commit',
  usage: `klepaas-bot rollback <owner/repo> [--to SHA | --steps N] [--yes] [--force] [--wait | --no-wait] [--json] [--lang ko|en]

Rolls back to the previous deployment (--steps 1, the default), N back, or a deployed commit (full SHA
or a unique prefix of 7+ characters). Without --yes it only prints the plan and exits 1.
With NCP it starts the rollback and prints the record; the bot's poller follows it to the end. With
--wait it follows it here: notices on stderr, then the final record; exit 0 only on success.
With the built-in simulator (no NCP keys) it always waits, since the simulator stops with the command.
`,
  options: {
    to: { type: 'string' },
    steps: { type: 'string' },
    force: { type: 'boolean', default: false },
    ...startOptions,
  },
  poll: pollFor,
  async body(rt, io, values, positionals) {
    checkWaitFlags(values, rt);
    const { owner, repo } = parseRepoArg(positionals[0]);
    if (values.to !== undefined && values.steps !== undefined) {
      throw invalidInput('Give either --to or --steps, not both.', '--to와 --steps 중 하나만 지정하세요.');
    }
    const selector =
      values.to !== undefined ? { commitSha: values.to } : { stepsBack: parseSteps(values.steps ?? '1') };
    // A deploy lock holds for the CLI too; --force passes it (the CLI's audit entry records the flags).
    rt.services.checkLock(owner, repo, { force: values.force === true, mayForce: true });
    const plan = await rt.services.planRollback(owner, repo, selector);
    return runStarted(rt, io, values, {
      label: 'Rollback',
      slug: `${plan.owner}/${plan.repo}`,
      plan,
      planText: renderRollbackPlan(plan, renderContextOf(rt)),
      start: () => rt.services.executeRollback(plan, rt.requester, null),
    });
  },
});
