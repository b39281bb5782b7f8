import { type Bilingual, KlepaasError } from '../../domain/errors.ts';
import { shortSha } from '../../domain/repo-ref.ts';
import type { Candidate, FaultyVersion } from '../../domain/reports.ts';

/** Refusals of the target, lock and conversation rules; every hint names a command that exists. */

const slug = (owner: string, repo: string): string => `${owner}/${repo}`;
/** Times in refusals are UTC: the rules take no time zone, and a refusal is read once. */
const utc = (d: Date | null): string => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '?');

const listHint = (owner: string, repo: string, list: readonly Candidate[]): Bilingual => {
  const lines = list
    .slice(0, 5)
    .map(
      (c) =>
        `${c.n}. ${shortSha(c.commitSha)}${c.commitMessage ? ` "${c.commitMessage.split('\n')[0]}"` : ''}`,
    )
    .join(', ');
  return {
    en: `Candidates: ${lines || 'none'}. Say "rollback ${repo} N steps" or "rollback ${repo} to <commit>"; /rollback candidates ${slug(owner, repo)} lists them.`,
    ko: `후보: ${lines || '없음'}. "${repo} N단계 전으로 롤백" 또는 "${repo} <커밋>으로 롤백" 이라고 말하세요. /rollback candidates ${slug(owner, repo)} 로 목록을 볼 수 있습니다.`,
  };
};

export function faultyTarget(owner: string, repo: string, f: FaultyVersion): KlepaasError {
  return new KlepaasError({
    code: 'FAULTY_TARGET',
    status: 409,
    message: {
      en: `${shortSha(f.commitSha)} on ${slug(owner, repo)} was rolled away from by rollback #${f.rollbackId} (${utc(f.rolledAwayAt)}); it is not offered as a rollback target.`,
      ko: `${slug(owner, repo)}의 ${shortSha(f.commitSha)}은(는) 롤백 #${f.rollbackId} (${utc(f.rolledAwayAt)})로 벗어난 버전이라 롤백 대상으로 쓰지 않습니다.`,
    },
    hint: {
      en: `To run it again on purpose, say "undo that" in the rollback's thread or "deploy ${repo} ${shortSha(f.commitSha)}".`,
      ko: `일부러 다시 올리려면 롤백 스레드에서 "원래대로" 라고 하거나 "${repo} ${shortSha(f.commitSha)} 배포해줘" 라고 하세요.`,
    },
    details: { owner, repo, commitSha: f.commitSha, rollbackId: f.rollbackId },
  });
}

export function targetIsRef(owner: string, repo: string, ref: string): KlepaasError {
  return new KlepaasError({
    code: 'TARGET_IS_REF',
    status: 400,
    message: {
      en: `"${ref}" is a branch or tag, not a version that ran on ${slug(owner, repo)}; a rollback only goes back to what ran before.`,
      ko: `"${ref}"은(는) 브랜치나 태그입니다. 롤백은 ${slug(owner, repo)}에서 이전에 실행된 버전으로만 돌아갑니다.`,
    },
    hint: {
      en: `To build and run ${ref}, say "deploy ${repo} ${ref}".`,
      ko: `${ref}을(를) 빌드해서 올리려면 "${repo} ${ref} 배포해줘" 라고 하세요.`,
    },
    details: { owner, repo, ref },
  });
}

export function targetNotUnderstood(
  owner: string,
  repo: string,
  target: string,
  candidates: readonly Candidate[],
  why?: Bilingual,
): KlepaasError {
  return new KlepaasError({
    code: 'TARGET_NOT_UNDERSTOOD',
    status: 400,
    message: {
      en: `I could not tell which version "${target}" means on ${slug(owner, repo)}${why ? ` (${why.en})` : ''}, so nothing is planned.`,
      ko: `"${target}"이(가) ${slug(owner, repo)}의 어느 버전인지 알 수 없어 아무것도 계획하지 않았습니다${why ? ` (${why.ko})` : ''}.`,
    },
    hint: listHint(owner, repo, candidates),
    details: { owner, repo, target },
  });
}

export interface LockInfo {
  readonly owner: string;
  readonly repo: string;
  readonly lockedBy: string | null;
  readonly reason: string | null;
  readonly expiresAt: Date;
}

export function repoLocked(lock: LockInfo, mayForce: boolean): KlepaasError {
  const who = lock.lockedBy ?? '?';
  const why = lock.reason ? ` ("${lock.reason}")` : '';
  return new KlepaasError({
    code: 'REPO_LOCKED',
    status: 423,
    message: {
      en: `${slug(lock.owner, lock.repo)} is locked by ${who}${why} until ${utc(lock.expiresAt)}; deploys and rollbacks are refused.`,
      ko: `${slug(lock.owner, lock.repo)}은(는) ${who}님이 ${utc(lock.expiresAt)}까지 잠갔습니다${why}. 배포와 롤백을 하지 않습니다.`,
    },
    hint: mayForce
      ? {
          en: `Ask ${who}, wait, say "unlock ${lock.repo}", or repeat with "force" (it is recorded).`,
          ko: `${who}님께 묻거나 기다리거나 "${lock.repo} 잠금 해제해줘" 라고 하세요. 꼭 필요하면 "강제로"를 붙여 다시 요청하세요 (기록됩니다).`,
        }
      : {
          en: `Ask ${who}, or wait until the lock ends.`,
          ko: `${who}님께 묻거나 잠금이 끝날 때까지 기다리세요.`,
        },
    details: {
      owner: lock.owner,
      repo: lock.repo,
      lockedBy: lock.lockedBy,
      expiresAt: lock.expiresAt.toISOString(),
    },
  });
}

export function nothingToCancel(): KlepaasError {
  return new KlepaasError({
    code: 'NOTHING_TO_CANCEL',
    status: 404,
    message: {
      en: 'There is no confirmation waiting here and no deploy or rollback running to cancel.',
      ko: '여기에는 확인을 기다리는 요청도, 취소할 진행 중인 배포나 롤백도 없습니다.',
    },
  });
}

export function nothingToUndo(owner: string, repo: string): KlepaasError {
  return new KlepaasError({
    code: 'NOTHING_TO_UNDO',
    status: 404,
    message: {
      en: `The last thing that ran on ${slug(owner, repo)} was not a rollback, so there is nothing to undo.`,
      ko: `${slug(owner, repo)}에서 마지막으로 실행된 것이 롤백이 아니어서 되돌릴 것이 없습니다.`,
    },
    hint: {
      en: `See what ran with /rollback history ${slug(owner, repo)}.`,
      ko: `/rollback history ${slug(owner, repo)} 로 실행 기록을 확인하세요.`,
    },
  });
}
