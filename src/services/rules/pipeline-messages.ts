import { type Bilingual, KlepaasError } from '../../domain/errors.ts';

/** Refusals and reasons of the build-and-deploy pipeline (src/services/pipeline.ts). */

const reason = (cause: unknown): string =>
  cause instanceof KlepaasError ? cause.messages.en : cause instanceof Error ? cause.message : String(cause);

export function sourceCommitNotConfigured(owner: string, repo: string): KlepaasError {
  return new KlepaasError({
    code: 'INVALID_INPUT',
    status: 400,
    message: {
      en: `SourceCommit project id not configured for ${owner}/${repo}: its repository URL is https://devtools.ncloud.com/<project id>/<repo>.git.`,
      ko: `${owner}/${repo}의 SourceCommit 프로젝트 ID가 설정되지 않았습니다. 저장소 주소는 https://devtools.ncloud.com/<프로젝트 ID>/<저장소>.git 입니다.`,
    },
    hint: {
      en: `Fix: klepaas-bot integration update ${owner}/${repo} --sc-project <id>`,
      ko: `해결: klepaas-bot integration update ${owner}/${repo} --sc-project <id> 로 설정하세요.`,
    },
    details: { owner, repo },
  });
}

/** NCP gave no answer to a start: it may have started, so nothing is recorded as failed. */
export function startUnknown(id: number, what: 'build' | 'deploy', cause: unknown): KlepaasError {
  const call: Bilingual =
    what === 'build'
      ? { en: 'SourceBuild StartBuild', ko: 'SourceBuild 빌드 시작' }
      : { en: 'SourceDeploy Deploy', ko: 'SourceDeploy 배포 시작' };
  return new KlepaasError({
    code: 'NCP_TIMEOUT',
    status: 504,
    message: {
      en: `NCP did not answer ${call.en} for #${id} in time, so whether it started is unknown. The record stays open (not failed) until it is checked against NCP.`,
      ko: `#${id}의 ${call.ko} 요청에 NCP가 제시간에 응답하지 않아 시작 여부를 알 수 없습니다. NCP에서 확인될 때까지 기록은 실패로 처리하지 않고 열어 둡니다.`,
    },
    hint: {
      en: 'Check the run in the NCP console before starting another.',
      ko: '다시 시작하기 전에 NCP 콘솔에서 실행 여부를 확인하세요.',
    },
    details: { deploymentId: id, step: what, reconcile: true },
    cause,
  });
}

export function imageNotInRegistry(imageRef: string, httpStatus: number): KlepaasError {
  return new KlepaasError({
    code: 'BUILD_FAILED',
    status: 502,
    message: {
      en: `Image ${imageRef} is not in NCR (HTTP ${httpStatus}); the manifest was not changed and nothing was deployed.`,
      ko: `이미지 ${imageRef}가 NCR에 없습니다 (HTTP ${httpStatus}). 매니페스트는 바꾸지 않았고 아무것도 배포되지 않았습니다.`,
    },
    hint: {
      en: "Check the SourceBuild project's registry and image settings (cmd.dockerbuild) and its build log.",
      ko: 'SourceBuild 프로젝트의 레지스트리와 이미지 설정(cmd.dockerbuild), 빌드 로그를 확인하세요.',
    },
    details: { imageRef, httpStatus },
  });
}

export function buildSetupFailed(step: 'build_branch' | 'build_tag', cause: unknown): KlepaasError {
  const why = reason(cause);
  const what: Bilingual =
    step === 'build_branch'
      ? { en: 'pushing the commit to the build branch', ko: '빌드 브랜치에 커밋을 push하는' }
      : {
          en: 'setting the SourceBuild project (branch, image tag)',
          ko: 'SourceBuild 프로젝트 설정(브랜치, 이미지 태그)을 바꾸는',
        };
  return new KlepaasError({
    code: cause instanceof KlepaasError ? cause.code : 'NCP_ERROR',
    status: 502,
    message: {
      en: `Failed while ${what.en}: ${why}. No build was started.`,
      ko: `${what.ko} 중 실패했습니다: ${why}. 빌드는 시작되지 않았습니다.`,
    },
    hint: cause instanceof KlepaasError ? cause.hint : undefined,
    details: { step },
    cause,
  });
}

/** Why a deploy that did not start left the manifest as it is now. */
export const restoreNote = (restored: string | null, failure: string | null): string =>
  failure
    ? `; restoring the manifest failed too (${failure}): it still names the new image`
    : restored
      ? `; the manifest was restored to ${restored}`
      : '';

/** The build branch is force-pushed to: it must never be the branch the team and the manifest live on. */
export function buildBranchIsDefault(owner: string, repo: string, branch: string): KlepaasError {
  return new KlepaasError({
    code: 'INVALID_INPUT',
    status: 400,
    message: {
      en: `The build branch of ${owner}/${repo} is its default branch ${branch}: the bot force-pushes the commit to build there, which would overwrite ${branch}.`,
      ko: `${owner}/${repo}의 빌드 브랜치가 기본 브랜치 ${branch}와 같습니다. 봇은 빌드할 커밋을 빌드 브랜치에 강제 push하므로 ${branch}를 덮어쓰게 됩니다.`,
    },
    hint: {
      en: `Fix: klepaas-bot integration update ${owner}/${repo} --build-branch klepaas-build`,
      ko: `해결: klepaas-bot integration update ${owner}/${repo} --build-branch klepaas-build 로 설정하세요.`,
    },
    details: { owner, repo, branch },
  });
}
