import { renderContextOf, runtimeCommand, show } from '../command.ts';
import { renderHistory } from '../render.ts';
import { parseRepoArg } from '../runtime.ts';
import { limitOption, parseLimit } from './candidates.ts';

export default runtimeCommand({
  summary: 'Show the deployment history of a repo',
  usage: `klepaas-bot history <owner/repo> [--limit N] [--json] [--lang ko|en]

Every deployment and rollback of the repo, newest first, whatever its outcome.
`,
  options: limitOption,
  async body(rt, io, values, positionals) {
    const { owner, repo } = parseRepoArg(positionals[0]);
    const items = await rt.services.history(owner, repo, parseLimit(values.limit, 20));
    show(io, items, () => renderHistory(items, renderContextOf(rt)));
    return 0;
  },
});
