import type { RepoPin } from '../../domain/deployment.ts';
import { KlepaasError } from '../../domain/errors.ts';
import { shortSha } from '../../domain/repo-ref.ts';

const utc = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const firstLine = (s: string | null): string => (s ? ` "${s.split('\n')[0]?.slice(0, 80) ?? ''}"` : '');

/** A deploy that would bring back what a rollback took away, refused while the repo is pinned. */
export function repoPinned(pin: RepoPin, targetSha: string): KlepaasError {
  const slug = `${pin.owner}/${pin.repo}`;
  const back = `${shortSha(pin.fromSha)}${firstLine(pin.fromMessage)}`;
  return new KlepaasError({
    code: 'REPO_PINNED',
    status: 409,
    message: {
      en: `${slug} is pinned (${pin.reason}) until ${utc(pin.expiresAt)}: ${shortSha(targetSha)} still contains ${back}, so deploying it would bring that commit back.`,
      ko: `${slug}은(는) ${utc(pin.expiresAt)}까지 고정되어 있습니다 (${pin.reason}). ${shortSha(targetSha)}에 롤백으로 되돌린 커밋 ${back}이(가) 아직 들어 있어, 배포하면 그 커밋이 다시 돌아옵니다.`,
    },
    hint: {
      en: `Deploy a fix that does not contain ${shortSha(pin.fromSha)}, say "unpin ${pin.repo}", or repeat with "force" (it is recorded).`,
      ko: `${shortSha(pin.fromSha)}이(가) 없는 수정본을 배포하거나, "${pin.repo} 고정 해제" 라고 하거나, "강제로"를 붙여 다시 요청하세요 (기록됩니다).`,
    },
    details: { owner: pin.owner, repo: pin.repo, pinId: pin.id, fromSha: pin.fromSha, targetSha },
  });
}
