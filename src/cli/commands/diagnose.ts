import { runtimeCommand, show } from '../command.ts';
import { renderDiagnose } from '../render.ts';
import { parseRepoArg } from '../runtime.ts';

export default runtimeCommand({
  summary: 'Check that a repo is ready to roll back (the guide diagnose JSON with --json)',
  usage: `klepaas-bot diagnose <owner/repo> [--json] [--lang ko|en]

Checks whether a rollback of the repo can work: integration, build and deploy project ids, deployment
history, the image a rollback would use, deployments in flight, NCP or simulator mode.
Exit code 0 when ready, 1 when not (or on a refusal).
`,
  options: {},
  async body(rt, io, _values, positionals) {
    const { owner, repo } = parseRepoArg(positionals[0]);
    const report = await rt.services.diagnose(owner, repo);
    show(io, report, () => renderDiagnose(report));
    return report.ready ? 0 : 1;
  },
});
