import { stderr } from 'node:process';
import { SHA_PATTERN } from '../../domain/repo-ref.ts';
import { commonOptions, parseCli, parseRepoArg, runCli, startedNote } from '../../runtime/cli-runtime.ts';
import type { CliCommand } from '../command.ts';
import { renderDeployment, renderDeployPlan, toJson } from '../render.ts';

const usage = `klepaas-bot deploy <owner/repo> [--ref BRANCH|TAG|SHA] [--yes] [--json] [--lang ko|en]

Builds the ref (default: the integration's default branch) with SourceBuild, then the bot's poller
updates the manifest and runs the SourceDeploy scenario. Without --yes it only prints the plan and exits 1.
`;

const command: CliCommand = {
  summary: 'Build and deploy a branch, tag or commit',
  async run(args) {
    const parsed = parseCli(args, {
      ...commonOptions,
      ref: { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
    });
    if (!parsed || parsed.values.help) {
      stderr.write(usage);
      return parsed ? 0 : 2;
    }
    const { values, positionals } = parsed;
    return runCli(values, async (rt, io) => {
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
      const d = await rt.services.executeDeploy(plan, rt.requester, null);
      const ctx = { timeZone: rt.config.timeZone, lang: rt.lang };
      if (io.json) io.out(toJson({ plan, started: true, deployment: d }));
      else io.out(`${renderDeployPlan(plan)}\n\nStarted.\n${renderDeployment(d, ctx)}`);
      io.note(startedNote(rt, 'Deploy', d.id, `${plan.owner}/${plan.repo}`));
      return 0;
    });
  },
};

export default command;
