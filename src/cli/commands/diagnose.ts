import { stderr } from 'node:process';
import { commonOptions, parseCli, parseRepoArg, runCli } from '../../runtime/cli-runtime.ts';
import type { CliCommand } from '../command.ts';
import { renderDiagnose, toJson } from '../render.ts';

const usage = `klepaas-bot diagnose <owner/repo> [--json] [--lang ko|en]

Checks whether a rollback of the repo can work: integration, build and deploy project ids, deployment
history, the image a rollback would use, deployments in flight, NCP or simulator mode.
Exit code 0 when ready, 1 when not (or on a refusal).
`;

const command: CliCommand = {
  summary: 'Check that a repo is ready to roll back (the guide diagnose JSON with --json)',
  async run(args) {
    const parsed = parseCli(args, commonOptions);
    if (!parsed || parsed.values.help) {
      stderr.write(usage);
      return parsed ? 0 : 2;
    }
    const { values, positionals } = parsed;
    return runCli(values, async (rt, io) => {
      const { owner, repo } = parseRepoArg(positionals[0]);
      const report = await rt.services.diagnose(owner, repo);
      io.out(io.json ? toJson(report) : renderDiagnose(report));
      return report.ready ? 0 : 1;
    });
  },
};

export default command;
