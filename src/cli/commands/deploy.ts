import { stderr } from 'node:process';
import { SHA_PATTERN } from '../../domain/repo-ref.ts';
import { commonOptions, parseCli, parseRepoArg, runCli } from '../../runtime/cli-runtime.ts';
import type { CliCommand } from '../command.ts';
import { renderDeployPlan, toJson } from '../render.ts';
import { checkWaitFlags, pollFor, runStarted, waitOptions } from '../wait.ts';

const usage = `klepaas-bot deploy <owner/repo> [--ref BRANCH|TAG|SHA] [--yes] [--wait | --no-wait] [--json] [--lang ko|en]

Builds the ref (default: the integration's default branch) with SourceBuild, then the poller updates
the manifest and runs the SourceDeploy scenario. Without --yes it only prints the plan and exits 1.
With NCP it starts the build and prints the record; the bot's poller follows it to the end. With --wait
it follows it here: notices on stderr, then the final record; exit 0 only on success.
With the built-in simulator (no NCP keys) it always waits, since the simulator stops with the command.
`;

const command: CliCommand = {
  summary: 'Build and deploy a branch, tag or commit',
  async run(args) {
    const parsed = parseCli(args, {
      ...commonOptions,
      ref: { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
      ...waitOptions,
    });
    if (!parsed || parsed.values.help) {
      stderr.write(usage);
      return parsed ? 0 : 2;
    }
    const { values, positionals } = parsed;
    return runCli(
      values,
      async (rt, io) => {
        checkWaitFlags(values, rt);
        const { owner, repo } = parseRepoArg(positionals[0]);
        const ref = values.ref ?? null;
        const selector = ref && SHA_PATTERN.test(ref) && ref.length === 40 ? { commitSha: ref } : { ref };
        const plan = await rt.services.planDeploy(owner, repo, selector);
        if (!values.yes) {
          if (io.json) io.out(toJson({ plan, started: false }));
          else io.out(renderDeployPlan(plan));
          io.note('Nothing done. Run again with --yes to start this deploy.');
          return 1;
        }
        return runStarted(rt, io, values, {
          label: 'Deploy',
          slug: `${plan.owner}/${plan.repo}`,
          plan,
          planText: renderDeployPlan(plan),
          start: () => rt.services.executeDeploy(plan, rt.requester, null),
        });
      },
      pollFor(values),
    );
  },
};

export default command;
