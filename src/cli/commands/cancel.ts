import { renderContextOf, runtimeCommand, show } from '../command.ts';
import { renderDeployment } from '../render.ts';
import { parseRepoArg } from '../runtime.ts';

export default runtimeCommand({
  summary: 'Cancel the deploy or rollback in progress on NCP, or release a record NCP never started',
  usage: `klepaas-bot cancel <owner/repo> [--reason TEXT] [--yes] [--json] [--lang ko|en]

Cancels the repo's deployment in progress: CancelBuild or CancelDeploy on NCP, the manifest put back
when it names the canceled image, and the record ended \`canceled\` with who did it. A record whose start
NCP has no run of (the process stopped before NCP started anything) is released the same way, with
--reason kept in the audit log. Without --yes it only prints what would be canceled and exits 1.
With --json: {"deployment": {...}, "accepted": bool, "how"?: "canceled" | "released"}.
`,
  options: {
    reason: { type: 'string' },
    yes: { type: 'boolean', short: 'y', default: false },
  },
  async body(rt, io, values, positionals) {
    const { owner, repo } = parseRepoArg(positionals[0]);
    const ctx = renderContextOf(rt);
    if (!values.yes) {
      const d = rt.runtime.stores.deployments.inFlight(owner, repo);
      show(io, { deployment: d, accepted: false }, () =>
        d
          ? `Would cancel:\n${renderDeployment(d, ctx)}\nRun again with --yes to cancel it.`
          : `${owner}/${repo} has nothing in progress to cancel.`,
      );
      return 1;
    }
    const out = await rt.services.cancel(owner, repo, {
      requester: rt.requester,
      reason: values.reason ?? null,
    });
    show(
      io,
      { deployment: out.deployment, accepted: out.accepted, ...(out.accepted ? { how: out.how } : {}) },
      () =>
        out.accepted
          ? `${out.how === 'canceled' ? 'Canceled' : 'Released'} #${out.deployment.id}.\n${renderDeployment(out.deployment, ctx)}`
          : `#${out.deployment.id} had already ended on NCP; the record follows what NCP reached.\n${renderDeployment(out.deployment, ctx)}`,
    );
    return out.accepted ? 0 : 1;
  },
});
