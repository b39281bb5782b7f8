import { stderr } from 'node:process';
import { commonOptions, parseCli, parseRepoArg, runCli } from '../../runtime/cli-runtime.ts';
import type { CliCommand } from '../command.ts';
import { renderHistory, toJson } from '../render.ts';
import { parseLimit } from './candidates.ts';

const usage = `klepaas-bot history <owner/repo> [--limit N] [--json] [--lang ko|en]

Every deployment and rollback of the repo, newest first, whatever its outcome.
`;

const command: CliCommand = {
  summary: 'Show the deployment history of a repo',
  async run(args) {
    const parsed = parseCli(args, { ...commonOptions, limit: { type: 'string' } });
    if (!parsed || parsed.values.help) {
      stderr.write(usage);
      return parsed ? 0 : 2;
    }
    const { values, positionals } = parsed;
    return runCli(values, async (rt, io) => {
      const { owner, repo } = parseRepoArg(positionals[0]);
      const items = await rt.services.history(owner, repo, parseLimit(values.limit, 20));
      io.out(io.json ? toJson(items) : renderHistory(items, { timeZone: rt.config.timeZone, lang: rt.lang }));
      return 0;
    });
  },
};

export default command;
