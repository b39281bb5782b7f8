import { stderr } from 'node:process';
import { commonOptions, parseCli, parseRepoArg, runCli } from '../../runtime/cli-runtime.ts';
import type { CliCommand } from '../command.ts';
import { renderDeployment, toJson } from '../render.ts';

const usage = `klepaas-bot status <owner/repo> [--json] [--lang ko|en]

The deployment in progress, or else the latest one. With --json: {"deployment": {...} | null}.
`;

const command: CliCommand = {
  summary: 'Show the deployment in progress, or the latest one',
  async run(args) {
    const parsed = parseCli(args, commonOptions);
    if (!parsed || parsed.values.help) {
      stderr.write(usage);
      return parsed ? 0 : 2;
    }
    const { values, positionals } = parsed;
    return runCli(values, async (rt, io) => {
      const { owner, repo } = parseRepoArg(positionals[0]);
      const d = await rt.services.status(owner, repo);
      if (io.json) io.out(toJson({ deployment: d }));
      else
        io.out(
          d
            ? renderDeployment(d, { timeZone: rt.config.timeZone, lang: rt.lang })
            : `${owner}/${repo} has no deployments yet.`,
        );
      return 0;
    });
  },
};

export default command;
