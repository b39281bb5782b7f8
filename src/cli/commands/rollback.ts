import { stderr } from 'node:process';
import { commonOptions, parseCli, parseRepoArg, runCli } from '../../runtime/cli-runtime.ts';
import { parseSteps } from '../../services/rules/candidates.ts';
import { invalidInput } from '../../services/rules/messages.ts';
import type { CliCommand } from '../command.ts';
import { renderRollbackPlan, toJson } from '../render.ts';
import { checkWaitFlags, pollFor, runStarted, waitOptions } from '../wait.ts';

const usage = `klepaas-bot rollback <owner/repo> [--to SHA | --steps N] [--yes] [--wait | --no-wait] [--json] [--lang ko|en]

Rolls back to the previous deployment (--steps 1, the default), N back, or a deployed commit (full SHA
or a unique prefix of 7+ characters). Without --yes it only prints the plan and exits 1.
With NCP it starts the rollback and prints the record; the bot's poller follows it to the end. With
--wait it follows it here: notices on stderr, then the final record; exit 0 only on success.
With the built-in simulator (no NCP keys) it always waits, since the simulator stops with the command.
`;

const command: CliCommand = {
  summary: 'Roll back to the previous, N-back or a given deployed commit',
  async run(args) {
    const parsed = parseCli(args, {
      ...commonOptions,
      to: { type: 'string' },
      steps: { type: 'string' },
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
        if (values.to !== undefined && values.steps !== undefined) {
          throw invalidInput(
            'Give either --to or --steps, not both.',
            '--to와 --steps 중 하나만 지정하세요.',
          );
        }
        const selector =
          values.to !== undefined ? { commitSha: values.to } : { stepsBack: parseSteps(values.steps ?? '1') };
        const plan = await rt.services.planRollback(owner, repo, selector);
        const ctx = { timeZone: rt.config.timeZone, lang: rt.lang };
        if (!values.yes) {
          if (io.json) io.out(toJson({ plan, started: false }));
          else io.out(renderRollbackPlan(plan, ctx));
          io.note('Nothing done. Run again with --yes to start this rollback.');
          return 1;
        }
        return runStarted(rt, io, values, {
          label: 'Rollback',
          slug: `${plan.owner}/${plan.repo}`,
          plan,
          planText: renderRollbackPlan(plan, ctx),
          start: () => rt.services.executeRollback(plan, rt.requester, null),
        });
      },
      pollFor(values),
    );
  },
};

export default command;
