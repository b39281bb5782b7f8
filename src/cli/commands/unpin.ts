import { pinLine } from '../../domain/verify-wording.ts';
import { runtimeCommand, show } from '../command.ts';
import { parseRepoArg } from '../runtime.ts';

export default runtimeCommand({
  summary: 'End the pin a rollback put on a repo',
  usage: `klepaas-bot unpin <owner/repo> [--json]

A rollback pins its repo: deploys that still contain the rolled-away-from commit are refused. This ends
the pin now (it also ends by itself, or when a deploy passes verification).
`,
  options: {},
  async body(rt, io, _values, positionals) {
    const { owner, repo } = parseRepoArg(positionals[0]);
    const ended = rt.services.unpin(owner, repo, rt.requester.user);
    show(io, { unpinned: ended }, () =>
      ended.length === 0
        ? `${owner}/${repo} is not pinned.`
        : ended.map((p) => `Unpinned: ${pinLine(p, 'en')}`).join('\n'),
    );
    return 0;
  },
});
