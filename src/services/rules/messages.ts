import type { DeploymentStatus } from '../../domain/deployment.ts';
import { type Bilingual, KlepaasError } from '../../domain/errors.ts';
import { shortSha } from '../../domain/repo-ref.ts';

/**
 * Every refusal the services give, in one place. English sentences come from the rollback
 * troubleshooting guide word for word where it has them (operators search logs for them); the hints name
 * our own commands instead of the reference backend's HTTP API.
 */

const slug = (owner: string, repo: string): string => `${owner}/${repo}`;

const setupHint = (owner: string, repo: string, flags: string): Bilingual => ({
  en: `Fix: klepaas-bot integration add ${slug(owner, repo)} ${flags}`,
  ko: `해결: klepaas-bot integration add ${slug(owner, repo)} ${flags} 로 설정하세요.`,
});

const candidatesHint = (owner: string, repo: string): Bilingual => ({
  en: `See what can be rolled back to with /rollback candidates ${slug(owner, repo)} (or klepaas-bot candidates ${slug(owner, repo)}).`,
  ko: `/rollback candidates ${slug(owner, repo)} (또는 klepaas-bot candidates ${slug(owner, repo)})로 롤백 가능한 배포를 확인하세요.`,
});

export function integrationNotFound(owner: string, repo: string): KlepaasError {
  return new KlepaasError({
    code: 'INTEGRATION_NOT_FOUND',
    status: 404,
    message: {
      en: `No project integration found for ${slug(owner, repo)}. Please set up the project first using the deployment API.`,
      ko: `${slug(owner, repo)}의 프로젝트 연동 정보가 없습니다. 먼저 프로젝트를 설정하세요.`,
    },
    hint: setupHint(owner, repo, '--build-project <id> --deploy-project <id> --stage <id> --scenario <id>'),
    details: { owner, repo },
  });
}

export function integrationExists(owner: string, repo: string): KlepaasError {
  return new KlepaasError({
    code: 'INTEGRATION_EXISTS',
    status: 409,
    message: {
      en: `A project integration for ${slug(owner, repo)} already exists.`,
      ko: `${slug(owner, repo)}의 프로젝트 연동 정보가 이미 있습니다.`,
    },
    hint: {
      en: `Change it with klepaas-bot integration add ${slug(owner, repo)} --update ...`,
      ko: `klepaas-bot integration add ${slug(owner, repo)} --update ... 로 수정하세요.`,
    },
    details: { owner, repo },
  });
}

export function buildProjectNotConfigured(owner: string, repo: string): KlepaasError {
  return new KlepaasError({
    code: 'BUILD_PROJECT_NOT_CONFIGURED',
    status: 400,
    message: {
      en: `Build project ID not configured for ${slug(owner, repo)}. Please complete project setup.`,
      ko: `${slug(owner, repo)}의 SourceBuild 프로젝트 ID가 설정되지 않았습니다. 프로젝트 설정을 완료하세요.`,
    },
    hint: setupHint(owner, repo, '--update --build-project <id>'),
    details: { owner, repo },
  });
}

export function deployProjectNotConfigured(owner: string, repo: string): KlepaasError {
  return new KlepaasError({
    code: 'DEPLOY_PROJECT_NOT_CONFIGURED',
    status: 400,
    message: {
      en: `Deploy project ID not configured for ${slug(owner, repo)}. Please complete project setup.`,
      ko: `${slug(owner, repo)}의 SourceDeploy 프로젝트 ID가 설정되지 않았습니다. 프로젝트 설정을 완료하세요.`,
    },
    hint: setupHint(owner, repo, '--update --deploy-project <id> --stage <id> --scenario <id>'),
    details: { owner, repo },
  });
}

export function deployStageNotConfigured(
  owner: string,
  repo: string,
  missing: readonly ('stage' | 'scenario')[],
): KlepaasError {
  const what = missing.join(' and ');
  const whatKo = missing.map((m) => (m === 'stage' ? '스테이지' : '시나리오')).join('와 ');
  return new KlepaasError({
    code: 'DEPLOY_PROJECT_NOT_CONFIGURED',
    status: 400,
    message: {
      en: `Deploy ${what} ID not configured for ${slug(owner, repo)}. Please complete project setup.`,
      ko: `${slug(owner, repo)}의 SourceDeploy ${whatKo} ID가 설정되지 않았습니다. 프로젝트 설정을 완료하세요.`,
    },
    hint: setupHint(owner, repo, `--update ${missing.map((m) => `--${m} <id>`).join(' ')}`),
    details: { owner, repo, missing },
  });
}

export function registryNotConfigured(owner: string, repo: string): KlepaasError {
  return new KlepaasError({
    code: 'INVALID_INPUT',
    status: 400,
    message: {
      en: `Container registry (NCR) host not configured for ${slug(owner, repo)}. Please complete project setup.`,
      ko: `${slug(owner, repo)}의 컨테이너 레지스트리(NCR) 주소가 설정되지 않았습니다. 프로젝트 설정을 완료하세요.`,
    },
    hint: setupHint(owner, repo, '--update --registry <host>'),
    details: { owner, repo },
  });
}

export function noDeploymentHistory(owner: string, repo: string): KlepaasError {
  return new KlepaasError({
    code: 'NO_DEPLOYMENT_HISTORY',
    status: 404,
    message: {
      en: `No deployment history found for ${slug(owner, repo)}. Deploy the application first before attempting rollback.`,
      ko: `${slug(owner, repo)}의 배포 기록이 없습니다. 롤백하기 전에 먼저 애플리케이션을 배포하세요.`,
    },
    hint: {
      en: `Deploy first: /deploy ${slug(owner, repo)} (or klepaas-bot deploy ${slug(owner, repo)} --yes).`,
      ko: `먼저 배포하세요: /deploy ${slug(owner, repo)} (또는 klepaas-bot deploy ${slug(owner, repo)} --yes)`,
    },
    details: { owner, repo },
  });
}

export function commitNotDeployed(owner: string, repo: string, sha: string): KlepaasError {
  return new KlepaasError({
    code: 'COMMIT_NOT_DEPLOYED',
    status: 404,
    message: {
      en: `No successful deployment found for commit ${sha}. Cannot rollback to undeployed commit.`,
      ko: `커밋 ${sha}의 성공한 배포 기록이 없습니다. 배포된 적 없는 커밋으로는 롤백할 수 없습니다.`,
    },
    hint: candidatesHint(owner, repo),
    details: { owner, repo, commitSha: sha },
  });
}

export function ambiguousCommit(
  owner: string,
  repo: string,
  prefix: string,
  matches: readonly string[],
): KlepaasError {
  const list = matches.map(shortSha).join(', ');
  return new KlepaasError({
    code: 'AMBIGUOUS_COMMIT',
    status: 409,
    message: {
      en: `Commit prefix ${prefix} matches ${matches.length} deployed commits of ${slug(owner, repo)}: ${list}.`,
      ko: `커밋 ${prefix}에 해당하는 ${slug(owner, repo)}의 배포 커밋이 ${matches.length}개입니다: ${list}.`,
    },
    hint: {
      en: 'Type more characters of the SHA so only one commit matches.',
      ko: 'SHA를 더 길게 입력해 하나의 커밋만 해당되게 하세요.',
    },
    details: { owner, repo, prefix, matches: [...matches] },
  });
}

export function notEnoughHistory(
  owner: string,
  repo: string,
  steps: number,
  available: number,
): KlepaasError {
  return new KlepaasError({
    code: 'NOT_ENOUGH_HISTORY',
    status: 404,
    message: {
      en: `Cannot roll back ${steps} deployment(s) for ${slug(owner, repo)}: only ${available} rollback candidate(s) exist.`,
      ko: `${slug(owner, repo)}을(를) ${steps}단계 이전으로 롤백할 수 없습니다: 롤백 후보가 ${available}개뿐입니다.`,
    },
    hint: candidatesHint(owner, repo),
    details: { owner, repo, steps, available },
  });
}

export function alreadyRunning(owner: string, repo: string, sha: string): KlepaasError {
  return new KlepaasError({
    code: 'ALREADY_RUNNING',
    status: 409,
    message: {
      en: `Commit ${shortSha(sha)} is already running on ${slug(owner, repo)}. Nothing to roll back.`,
      ko: `커밋 ${shortSha(sha)}이(가) 이미 ${slug(owner, repo)}에서 실행 중입니다. 롤백할 것이 없습니다.`,
    },
    hint: candidatesHint(owner, repo),
    details: { owner, repo, commitSha: sha },
  });
}

export function deploymentInFlight(
  owner: string,
  repo: string,
  inFlight: { readonly id: number; readonly status: DeploymentStatus } | null,
): KlepaasError {
  const which = inFlight ? ` (#${inFlight.id}, ${inFlight.status})` : '';
  return new KlepaasError({
    code: 'DEPLOYMENT_IN_FLIGHT',
    status: 409,
    message: {
      en: `A deployment of ${slug(owner, repo)} is already in progress${which}. Wait for it to finish.`,
      ko: `${slug(owner, repo)}의 배포가 이미 진행 중입니다${which}. 끝난 뒤 다시 시도하세요.`,
    },
    hint: {
      en: `Follow it with /rollback status ${slug(owner, repo)} (or klepaas-bot status ${slug(owner, repo)}).`,
      ko: `/rollback status ${slug(owner, repo)} (또는 klepaas-bot status ${slug(owner, repo)})로 진행 상황을 확인하세요.`,
    },
    details: { owner, repo, deploymentId: inFlight?.id ?? null },
  });
}

/** The rollback or deploy target moved between the question and the go-ahead; nothing was started. */
export function targetChanged(owner: string, repo: string, reason: Bilingual): KlepaasError {
  return new KlepaasError({
    code: 'TARGET_CHANGED',
    status: 409,
    message: {
      en: `The target for ${slug(owner, repo)} moved since you were asked (${reason.en}); nothing was started.`,
      ko: `확인 요청 이후 ${slug(owner, repo)}의 대상이 바뀌었습니다 (${reason.ko}). 아무것도 실행하지 않았습니다.`,
    },
    hint: { en: 'Ask again to see the new target.', ko: '다시 요청해 새 대상을 확인해 주세요.' },
    details: { owner, repo, reason: reason.en },
  });
}

export function refNotFound(owner: string, repo: string, ref: string): KlepaasError {
  return new KlepaasError({
    code: 'REF_NOT_FOUND',
    status: 404,
    message: {
      en: `Ref ${ref} not found in the SourceCommit repository of ${slug(owner, repo)}.`,
      ko: `${slug(owner, repo)}의 SourceCommit 저장소에서 ${ref}을(를) 찾을 수 없습니다.`,
    },
    hint: {
      en: 'Give a branch, tag or commit SHA that exists, e.g. /deploy owner/repo main.',
      ko: '존재하는 브랜치, 태그 또는 커밋 SHA를 지정하세요. 예: /deploy owner/repo main',
    },
    details: { owner, repo, ref },
  });
}

export function invalidSteps(value: unknown): KlepaasError {
  return new KlepaasError({
    code: 'INVALID_STEPS',
    status: 400,
    message: {
      en: `Steps back must be a whole number of 1 or more (got ${String(value)}).`,
      ko: `몇 단계 이전인지는 1 이상의 정수여야 합니다 (입력: ${String(value)}).`,
    },
    hint: {
      en: 'For example: rollback owner/repo --steps 2, or "2 versions back".',
      ko: '예: "2단계 전으로 롤백", klepaas-bot rollback owner/repo --steps 2',
    },
    details: { value: String(value) },
  });
}

export function invalidCommit(value: string): KlepaasError {
  return new KlepaasError({
    code: 'INVALID_INPUT',
    status: 400,
    message: {
      en: `${value} is not a commit SHA (7 to 40 hexadecimal characters).`,
      ko: `${value}은(는) 커밋 SHA가 아닙니다 (16진수 7~40자).`,
    },
    hint: {
      en: 'Copy a SHA from the candidates list, e.g. /rollback owner/repo c39eb54.',
      ko: '후보 목록의 SHA를 사용하세요. 예: /rollback owner/repo c39eb54',
    },
    details: { value },
  });
}

export function invalidInput(en: string, ko: string): KlepaasError {
  return new KlepaasError({ code: 'INVALID_INPUT', status: 400, message: { en, ko } });
}

const reason = (cause: unknown): string =>
  cause instanceof KlepaasError ? cause.messages.en : cause instanceof Error ? cause.message : String(cause);

export function manifestUpdateFailed(owner: string, repo: string, cause: unknown): KlepaasError {
  const why = reason(cause);
  return new KlepaasError({
    code: 'MANIFEST_UPDATE_FAILED',
    status: 502,
    message: {
      en: `Could not update the deploy manifest of ${slug(owner, repo)}: ${why}. Nothing was deployed.`,
      ko: `${slug(owner, repo)}의 배포 매니페스트를 수정하지 못했습니다: ${why}. 아무것도 배포되지 않았습니다.`,
    },
    hint: {
      en: 'Check the SourceCommit repository name, branch and git credentials (NCP_GIT_USERNAME/NCP_GIT_PASSWORD).',
      ko: 'SourceCommit 저장소 이름, 브랜치, git 인증 정보(NCP_GIT_USERNAME/NCP_GIT_PASSWORD)를 확인하세요.',
    },
    details: { owner, repo },
    cause,
  });
}

/** Any failure from NCP that is not already one of ours; the step says what we were doing. */
export function ncpFailed(step: 'build' | 'deploy' | 'image', cause: unknown): KlepaasError {
  const why = reason(cause);
  const stepKo = {
    build: 'SourceBuild 빌드 시작',
    deploy: 'SourceDeploy 시나리오 실행',
    image: 'NCR 이미지 확인',
  }[step];
  const stepEn = {
    build: 'starting the SourceBuild build',
    deploy: 'running the SourceDeploy scenario',
    image: 'checking the image in NCR',
  }[step];
  return new KlepaasError({
    code: 'NCP_ERROR',
    status: 502,
    message: { en: `NCP failed while ${stepEn}: ${why}`, ko: `${stepKo} 중 NCP 오류: ${why}` },
    hint: {
      en: 'Retry in a moment; if it keeps failing, check the NCP console and the API keys.',
      ko: '잠시 후 다시 시도하세요. 계속 실패하면 NCP 콘솔과 API 키를 확인하세요.',
    },
    details: { step },
    cause,
  });
}

/** The seed's warning, word for word: scripts that parsed the reference's diagnose JSON match on it. */
export const IMAGE_MISSING_WARNING =
  'Latest deployment image not found in NCR (HTTP 404). Rollback will trigger rebuild.';

export function imageMissingWarning(imageRef: string, httpStatus: number): Bilingual {
  return {
    en:
      httpStatus === 404
        ? IMAGE_MISSING_WARNING
        : `Latest deployment image not found in NCR (HTTP ${httpStatus}). Rollback will trigger rebuild.`,
    ko: `롤백 대상 이미지 ${imageRef}이(가) NCR에 없습니다 (HTTP ${httpStatus}). 롤백 시 다시 빌드합니다.`,
  };
}
