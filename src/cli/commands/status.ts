import { renderContextOf, runtimeCommand, show } from '../command.ts';
import { renderDeployment } from '../render.ts';
import { parseRepoArg } from '../runtime.ts';

export default runtimeCommand({
  summary: 'Show the deployment in progress, or the latest one',
  usage: `klepaas-bot status <owner/repo> [--json] [--lang ko|en]

The deployment in progress, or else the latest one. With --json: {"deployment": {...} | null}.
`,
  options: {},
  async body(rt, io, _values, positionals) {
    const { owner, repo } = parseRepoArg(positionals[0]);
    const d = await rt.services.status(owner, repo);
    show(io, { deployment: d }, () =>
      d ? renderDeployment(d, renderContextOf(rt)) : `${owner}/${repo} has no deployments yet.`,
    );
    return 0;
  },
});
