import { stderr } from 'node:process';
import { commonOptions, parseCli, parseRepoArg, runCli } from '../../runtime/cli-runtime.ts';
import { invalidInput } from '../../services/rules/messages.ts';
import type { CliCommand } from '../command.ts';
import { renderCandidates, toJson } from '../render.ts';

const usage = `klepaas-bot candidates <owner/repo> [--limit N] [--json] [--lang ko|en]

Lists the commits a rollback can go to, numbered as "rollback --steps N" counts them
(1 is the newest commit deployed before the running one).
`;

export function parseLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1000) {
    throw invalidInput(
      `--limit must be 1 to 1000 (got ${text}).`,
      `--limit은 1~1000이어야 합니다 (입력: ${text}).`,
    );
  }
  return n;
}

const command: CliCommand = {
  summary: 'List rollback candidates, numbered as --steps counts them',
  async run(args) {
    const parsed = parseCli(args, { ...commonOptions, limit: { type: 'string' } });
    if (!parsed || parsed.values.help) {
      stderr.write(usage);
      return parsed ? 0 : 2;
    }
    const { values, positionals } = parsed;
    return runCli(values, async (rt, io) => {
      const { owner, repo } = parseRepoArg(positionals[0]);
      const list = await rt.services.candidates(owner, repo, parseLimit(values.limit, 10));
      io.out(
        io.json ? toJson(list) : renderCandidates(list, { timeZone: rt.config.timeZone, lang: rt.lang }),
      );
      return 0;
    });
  },
};

export default command;
