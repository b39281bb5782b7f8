import type { Deployment } from '../domain/deployment.ts';
import type { ServiceDeps } from './deps.ts';

export type CancelOutcome =
  | { readonly accepted: true; readonly deployment: Deployment }
  | { readonly accepted: false; readonly deployment: Deployment; readonly why: 'not_supported' };

/**
 * The entry point for cancelling a running deploy or rollback on NCP (SourceBuild / SourceDeploy cancel).
 * Not wired to NCP yet: it answers `not_supported` and changes nothing, so the record keeps following
 * what NCP actually reaches. The NCP side is built separately; this is where it plugs in.
 */
export async function cancelRunning(deps: ServiceDeps, d: Deployment): Promise<CancelOutcome> {
  deps.logger.info(
    { module: 'services', deploymentId: d.id },
    'cancel of a running deployment asked; not supported yet',
  );
  return { accepted: false, deployment: d, why: 'not_supported' };
}
