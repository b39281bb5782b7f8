import { SHA_PATTERN } from '../../domain/repo-ref.ts';
import { runtimeCommand } from '../command.ts';
import { renderDeployPlan } from '../render.ts';
import { parseRepoArg } from '../runtime.ts';
import { checkWaitFlags, pollFor, runStarted, startOptions } from '../wait.ts';

export default runtimeCommand({
  summary: 'Build and deploy a branch, tag or commit',
  usage: `klepaas-bot deploy <owner/repo> [--ref BRANCH|TAG|SHA] [--yes] [--force] [--wait | --no-wait] [--json] [--lang ko|en]

Builds the ref (default: the integration's default branch) with SourceBuild, then the poller updates
the manifest and runs the SourceDeploy scenario. Without --yes it only prints the plan and exits 1.
With NCP it starts the build and prints the record; the bot's poller follows it to the end. With --wait
it follows it here: notices on stderr, then the final record; exit 0 only on success.
With the built-in simulator (no NCP keys) it always waits, since the simulator stops with the command.
`,
  options: { ref: { type: 'string' }, force: { type: 'boolean', default: false }, ...startOptions },
  poll: pollFor,
  async body(rt, io, values, positionals) {
    checkWaitFlags(values, rt);
    const { owner, repo } = parseRepoArg(positionals[0]);
    const ref = values.ref ?? null;
    const force = values.force === true;
    // --force passes a pin after a rollback too (the record says why).
    const selector =
      ref && SHA_PATTERN.test(ref) && ref.length === 40 ? { commitSha: ref, force } : { ref, force };
    // A deploy lock holds for the CLI too; --force passes it (the CLI's audit entry records the flags).
    rt.services.checkLock(owner, repo, { force: values.force === true, mayForce: true });
    const plan = await rt.services.planDeploy(owner, repo, selector);
    return runStarted(rt, io, values, {
      label: 'Deploy',
      slug: `${plan.owner}/${plan.repo}`,
      plan,
      planText: renderDeployPlan(plan),
      start: () => rt.services.executeDeploy(plan, rt.requester, null),
    });
  },
});
