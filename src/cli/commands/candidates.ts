import { invalidInput } from '../../services/rules/messages.ts';
import { renderContextOf, runtimeCommand, show } from '../command.ts';
import { renderCandidates } from '../render.ts';
import { parseRepoArg } from '../runtime.ts';

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

export const limitOption = { limit: { type: 'string' } } as const;

export default runtimeCommand({
  summary: 'List rollback candidates, numbered as --steps counts them',
  usage,
  options: limitOption,
  async body(rt, io, values, positionals) {
    const { owner, repo } = parseRepoArg(positionals[0]);
    const list = await rt.services.candidates(owner, repo, parseLimit(values.limit, 10));
    show(io, list, () => renderCandidates(list, renderContextOf(rt)));
    return 0;
  },
});
