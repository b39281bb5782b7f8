import type { Deployment, PipelineStage } from '../domain/deployment.ts';
import { isKlepaasError } from '../domain/errors.ts';
import { shortSha } from '../domain/repo-ref.ts';
import type { ServiceDeps } from './deps.ts';
import { asKlepaas, type ReadyIntegration, reasonOf, requireReady } from './guards.ts';
import type { BuildProjectChange, BuildProjectSettings } from './ports.ts';
import { invalidInput, manifestUpdateFailed } from './rules/messages.ts';
import {
  buildSetupFailed,
  imageNotInRegistry,
  restoreNote,
  startUnknown,
} from './rules/pipeline-messages.ts';
import { failDeployment, haltAt, storeRunId } from './start.ts';

/**
 * The pipeline as the NCP services allow it, one call per step, each step's name written to the record
 * before the call so a record that stops shows where:
 *
 *   build_branch  force-push the application commit to the integration's build branch
 *   build_tag     ChangeProject: the project builds that branch, `cmd.dockerbuild.tag` = the 7-char SHA
 *   build_start   StartBuild with no body (SourceBuild builds its branch head under its configured tag)
 *   build_wait    the poller follows the build
 *   image_check   the image is in NCR, or the manifest is not touched
 *   manifest      the manifest names the image
 *   deploy_start  SourceDeploy Deploy; a refused start puts the manifest back (manifest_restore)
 *   deploy_wait   the poller follows the deploy
 *
 * Why a build branch rather than ChangeProject on the team's branch: SourceBuild can only be pointed at
 * a branch, and the commit a rollback rebuilds is usually no branch's head. Pushing exactly that commit to
 * a branch only the bot writes is the one documented way to build a given commit, and it never moves the
 * team's branch (the reference force-pushed `main`).
 */

const stage = (deps: ServiceDeps, d: Deployment, s: PipelineStage): Deployment =>
  deps.deployments.update(d.id, { stage: s });

const isTimeout = (err: unknown): boolean => isKlepaasError(err) && err.code === 'NCP_TIMEOUT';

/** The settings change before a build: the branch when it is not the build branch, always the tag. */
export function buildProjectChange(
  project: BuildProjectSettings,
  ready: ReadyIntegration,
  tag: string,
): BuildProjectChange {
  const dockerbuild = {
    ...(project.dockerbuild ?? { use: true, dockerfile: 'Dockerfile' }),
    image: ready.integration.imageName,
    tag,
    latest: false,
  };
  if (project.branch === ready.buildBranch) return { dockerbuild };
  return {
    source: {
      type: project.sourceType ?? 'SourceCommit',
      repository: project.repository ?? ready.source.repoName,
      branch: ready.buildBranch,
    },
    dockerbuild,
  };
}

/**
 * build_branch -> build_tag -> build_start for the record's commit; the record ends `building` at
 * `build_wait` with its build id. A step that fails ends the record failed (stage `build`) and throws.
 * A StartBuild without an answer leaves the record in flight at `build_start_unknown` and throws.
 */
export async function startBuildOf(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
): Promise<Deployment> {
  if (!d.commitSha) {
    const err = invalidInput(
      `Deployment #${d.id} has no commit to build.`,
      `배포 #${d.id}에 빌드할 커밋이 없습니다.`,
    );
    failDeployment(deps, d.id, 'build', err);
    throw err;
  }
  const tag = shortSha(d.commitSha);
  let at = stage(deps, d, 'build_branch');
  try {
    await deps.ncp.pushBuildBranch(ready.source, d.commitSha, ready.buildBranch);
    at = stage(deps, at, 'build_tag');
    const project = await deps.ncp.getBuildProject(ready.buildProjectId);
    await deps.ncp.changeBuildProject(ready.buildProjectId, buildProjectChange(project, ready, tag));
  } catch (cause) {
    const err = buildSetupFailed(at.stage === 'build_tag' ? 'build_tag' : 'build_branch', cause);
    failDeployment(deps, d.id, 'build', err);
    throw err;
  }
  at = stage(deps, at, 'build_start');
  await haltAt(deps, 'build_start:before');
  let buildId: string;
  try {
    ({ buildId } = await deps.ncp.startBuild(ready.buildProjectId));
  } catch (cause) {
    if (isTimeout(cause)) {
      stage(deps, at, 'build_start_unknown');
      throw startUnknown(d.id, 'build', cause);
    }
    const err = asKlepaas(cause, 'build');
    failDeployment(deps, d.id, 'build', err);
    throw err;
  }
  await haltAt(deps, 'build_start:after');
  return storeRunId(deps, d.id, { buildId, stage: 'build_wait' });
}

/**
 * image_check -> manifest -> deploy_start for a record whose image should exist; the record ends
 * `deploying` at `deploy_wait`. The manifest is touched only once NCR has the image, and a Deploy that
 * NCP refuses puts the manifest back to the image it named before, so SourceCommit keeps describing what
 * runs. A Deploy without an answer keeps the record in flight at `deploy_start_unknown`.
 */
export async function rollOutImage(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
): Promise<Deployment> {
  const log = deps.logger.child({ module: 'services', deploymentId: d.id });
  if (!d.image || !d.imageTag || !d.commitSha) {
    const err = invalidInput(
      `Deployment #${d.id} has no image to deploy.`,
      `배포 #${d.id}에 배포할 이미지가 없습니다.`,
    );
    failDeployment(deps, d.id, 'manifest', err);
    throw err;
  }
  const imageRef = `${d.image}:${d.imageTag}`;
  stage(deps, d, 'image_check');
  try {
    const probe = await deps.ncp.imageExists(ready.registryHost, ready.integration.imageName, d.imageTag);
    if (!probe.exists) throw imageNotInRegistry(imageRef, probe.httpStatus);
  } catch (cause) {
    const err = asKlepaas(cause, 'image');
    failDeployment(deps, d.id, 'image', err);
    throw err;
  }
  stage(deps, d, 'manifest');
  await haltAt(deps, 'manifest:before');
  const verb = d.operation === 'rollback' ? 'Roll back' : 'Deploy';
  const message = `${verb} ${d.owner}/${d.repo} to ${shortSha(d.commitSha)} (klepaas-bot #${d.id})`;
  let edit: { commitSha: string; changed: boolean; previousImage: string | null };
  try {
    edit = await deps.ncp.setManifestImage(ready.source, ready.manifestPath, imageRef, message);
    log.info({ imageRef, manifestCommit: edit.commitSha, changed: edit.changed }, 'manifest updated');
  } catch (cause) {
    const err = manifestUpdateFailed(d.owner, d.repo, cause);
    failDeployment(deps, d.id, 'manifest', err);
    throw err;
  }
  stage(deps, d, 'deploy_start');
  await haltAt(deps, 'deploy_start:before');
  let historyId: string;
  try {
    ({ historyId } = await deps.ncp.runScenario(ready.deployTarget));
  } catch (cause) {
    if (isTimeout(cause)) {
      // NCP may be deploying the new manifest: putting the old one back now could undo a running deploy.
      stage(deps, d, 'deploy_start_unknown');
      throw startUnknown(d.id, 'deploy', cause);
    }
    const err = asKlepaas(cause, 'deploy');
    const note = edit.changed && edit.previousImage ? await restore(deps, d, ready, edit.previousImage) : '';
    failDeployment(deps, d.id, 'deploy', new Error(`${reasonOf(err)}${note}`));
    throw err;
  }
  await haltAt(deps, 'deploy_start:after');
  log.info({ historyId }, 'scenario started');
  return storeRunId(deps, d.id, {
    status: 'deploying',
    deployHistoryId: historyId,
    stage: 'deploy_wait',
  });
}

async function restore(
  deps: ServiceDeps,
  d: Deployment,
  ready: ReadyIntegration,
  previousImage: string,
): Promise<string> {
  stage(deps, d, 'manifest_restore');
  try {
    await deps.ncp.setManifestImage(
      ready.source,
      ready.manifestPath,
      previousImage,
      `Restore ${d.owner}/${d.repo} manifest: deploy #${d.id} did not start (klepaas-bot)`,
    );
    stage(deps, d, 'deploy_start');
    return restoreNote(previousImage, null);
  } catch (err) {
    deps.logger.error({ module: 'services', deploymentId: d.id, err }, 'restoring the manifest failed');
    return restoreNote(null, reasonOf(err));
  }
}

/**
 * Called by the poller when the SourceBuild run of a `building` record succeeded: moves the record to
 * `deploying`, then checks the image, updates the manifest and runs the scenario (the same path as a
 * rollback whose image exists). A record no longer `building` is returned untouched, so a repeated call
 * does nothing twice. Throws (after marking the record failed) when a step fails.
 */
export async function continueAfterBuild(deps: ServiceDeps, deploymentId: number): Promise<Deployment> {
  const d = deps.deployments.get(deploymentId);
  if (!d) {
    throw invalidInput(
      `Deployment #${deploymentId} does not exist.`,
      `배포 #${deploymentId}이(가) 없습니다.`,
    );
  }
  if (d.status !== 'building') return d;
  // Claimed synchronously, before any await, so a second call in this process sees `deploying`.
  const claimed = deps.deployments.update(d.id, { status: 'deploying', ncpStatus: null });
  let ready: ReadyIntegration;
  try {
    ready = requireReady(deps, d.owner, d.repo);
  } catch (err) {
    failDeployment(deps, d.id, 'manifest', err);
    throw err;
  }
  return rollOutImage(deps, claimed, ready);
}
