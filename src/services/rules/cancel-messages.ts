import type { PipelineStage } from '../../domain/deployment.ts';
import { KlepaasError } from '../../domain/errors.ts';

export function nothingToCancel(owner: string, repo: string): KlepaasError {
  const slug = `${owner}/${repo}`;
  return new KlepaasError({
    code: 'NOTHING_TO_CANCEL',
    status: 404,
    message: {
      en: `${slug} has no deploy or rollback running to cancel.`,
      ko: `${slug}에는 취소할 진행 중인 배포나 롤백이 없습니다.`,
    },
    hint: { en: `See what runs with \`status ${slug}\`.`, ko: `\`status ${slug}\` 로 상태를 확인하세요.` },
    details: { owner, repo },
  });
}

export const canceledReason = (by: string, what: 'build' | 'deploy'): string =>
  `Canceled by ${by}: NCP canceled the ${what === 'build' ? 'SourceBuild build' : 'SourceDeploy run'}.`;

export const releasedReason = (by: string, stage: PipelineStage | null, reason: string | null): string =>
  `Released by ${by}: NCP has no run of it (stopped at ${stage ?? 'resolve'})${reason ? `. Reason: ${reason}` : ''}.`;
