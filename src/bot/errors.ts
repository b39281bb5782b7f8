import { KlepaasError } from '../domain/errors.ts';
import { personRef } from '../domain/people.ts';

// Refusals that belong to the conversation rather than to a service: which repo, who may press, when.

export const repoNotFound = (name: string | null): KlepaasError =>
  new KlepaasError({
    code: 'REPO_NOT_FOUND',
    status: 404,
    message: name
      ? {
          en: `No connected repository is named ${name}.`,
          ko: `${name}(이)라는 이름으로 연결된 저장소가 없습니다.`,
        }
      : { en: 'No repository is connected yet.', ko: '아직 연결된 저장소가 없습니다.' },
    hint: {
      en: 'Name it as owner/repo, or connect it first: `klepaas-bot integration add <owner/repo> ...`',
      ko: 'owner/repo 형태로 적어 주시거나, 먼저 연결해 주세요: `klepaas-bot integration add <owner/repo> ...`',
    },
  });

export const confirmationGone = (): KlepaasError =>
  new KlepaasError({
    code: 'CONFIRMATION_EXPIRED',
    status: 410,
    message: {
      en: 'This confirmation has expired or no longer exists; nothing was started.',
      ko: '이 확인 요청은 만료되었거나 더 이상 없습니다. 아무것도 실행하지 않았습니다.',
    },
    hint: { en: 'Ask again to get a fresh confirmation.', ko: '다시 요청해 새 확인을 받아 주세요.' },
  });

export const notYourConfirmation = (requestedBy: string | null): KlepaasError =>
  new KlepaasError({
    code: 'FORBIDDEN',
    status: 403,
    message: {
      en: `Only the person who asked${requestedBy ? ` (${personRef(requestedBy)})` : ''} or an approver can confirm this.`,
      ko: `요청한 사람${requestedBy ? `(${personRef(requestedBy)})` : ''}이나 승인자만 확인할 수 있습니다.`,
    },
    hint: {
      en: 'Ask them to press it, or make your own request.',
      ko: '요청자에게 눌러 달라고 하거나 직접 요청해 주세요.',
    },
  });

export const notADeployer = (repo: string): KlepaasError =>
  new KlepaasError({
    code: 'FORBIDDEN',
    status: 403,
    message: {
      en: `You are not on the list of people who may deploy or roll back ${repo}.`,
      ko: `${repo}을(를) 배포하거나 롤백할 수 있는 사람 목록에 없습니다.`,
    },
    hint: {
      en: 'Read-only commands (status, history, candidates, diagnose) still work. Ask an admin to add you.',
      ko: '조회 명령(상태, 이력, 후보, 진단)은 사용할 수 있습니다. 관리자에게 추가를 요청해 주세요.',
    },
  });

export const internalError = (ref: string): KlepaasError =>
  new KlepaasError({
    code: 'INTERNAL',
    status: 500,
    message: {
      en: `Something went wrong on our side (ref ${ref}).`,
      ko: `내부 오류가 발생했습니다 (참조 ${ref}).`,
    },
    hint: {
      en: 'Check the status of the repo before trying again; if it repeats, share the ref with the team.',
      ko: '다시 시도하기 전에 상태를 확인해 주시고, 반복되면 참조 번호를 팀에 알려 주세요.',
    },
  });

const shortOf = (sha: string) => sha.slice(0, 7);

/** A typed yes/no with no confirmation waiting in this conversation; says what happened to the last one. */
export const nothingWaiting = (
  last: {
    readonly kind: 'rollback' | 'deploy';
    readonly owner: string;
    readonly repo: string;
    readonly targetSha: string;
  } | null,
  why: 'dropped' | 'decided' | 'expired' | 'none',
  droppedBy: string | null,
): KlepaasError => {
  const what = last
    ? {
        en: `the ${last.kind === 'rollback' ? 'rollback' : 'deploy'} of ${last.owner}/${last.repo} to ${shortOf(last.targetSha)}`,
        ko: `${last.owner}/${last.repo} ${shortOf(last.targetSha)}(으)로의 ${last.kind === 'rollback' ? '롤백' : '배포'}`,
      }
    : null;
  const reason =
    why === 'dropped' && what
      ? {
          en: `Nothing is waiting for a yes: ${what.en} was dropped when you asked${droppedBy ? ` "${droppedBy}"` : ' something else'}.`,
          ko: `확인을 기다리는 요청이 없습니다: ${droppedBy ? `"${droppedBy}" 요청으로 ` : '새 요청으로 '}${what.ko} 확인이 취소되었습니다.`,
        }
      : why === 'decided' && what
        ? {
            en: `Nothing is waiting for a yes: ${what.en} was already answered.`,
            ko: `확인을 기다리는 요청이 없습니다: ${what.ko}은(는) 이미 답했습니다.`,
          }
        : why === 'expired' && what
          ? {
              en: `Nothing is waiting for a yes: ${what.en} expired.`,
              ko: `확인을 기다리는 요청이 없습니다: ${what.ko} 확인이 만료되었습니다.`,
            }
          : {
              en: 'Nothing is waiting for a yes or no here.',
              ko: '여기에는 예/아니오를 기다리는 요청이 없습니다.',
            };
  return new KlepaasError({
    code: 'CONFIRMATION_EXPIRED',
    status: 410,
    message: reason,
    hint: { en: 'Ask again to get a fresh confirmation.', ko: '다시 요청해 새 확인을 받아 주세요.' },
  });
};
