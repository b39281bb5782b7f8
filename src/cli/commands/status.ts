import { pinLine } from '../../domain/verify-wording.ts';
import { renderContextOf, runtimeCommand, show } from '../command.ts';
import { renderDeployment } from '../render.ts';
import { parseRepoArg } from '../runtime.ts';

export default runtimeCommand({
  summary: 'Show the deployment in progress, or the latest one',
  usage: `klepaas-bot status <owner/repo> [--json] [--lang ko|en]

The deployment in progress, or else the latest one (with its verification), the lock and the pin.
With --json: {"deployment": {...} | null, "lock": {...} | null, "pin": {...} | null}.
`,
  options: {},
  async body(rt, io, _values, positionals) {
    const { owner, repo } = parseRepoArg(positionals[0]);
    const d = await rt.services.status(owner, repo);
    // Pins and locks are shown together, wherever status is.
    const lock = rt.services.activeLock(owner, repo);
    const pin = rt.services.activePin(owner, repo);
    show(io, { deployment: d, lock, pin }, () =>
      [
        d ? renderDeployment(d, renderContextOf(rt)) : `${owner}/${repo} has no deployments yet.`,
        lock
          ? `Locked: by ${lock.lockedBy ?? '?'} until ${lock.expiresAt.toISOString()}${lock.reason ? ` (${lock.reason})` : ''}`
          : null,
        pin ? pinLine(pin, 'en') : null,
      ]
        .filter((l) => l !== null)
        .join('\n'),
    );
    return 0;
  },
});
