import type { IntentKind, Lang, UnknownReason } from '../domain/intent.ts';

export interface Example {
  readonly intent: IntentKind;
  readonly text: Record<Lang, string>;
  readonly what: Record<Lang, string>;
}

/**
 * The commit the "go back to a commit" example names; front ends put a commit of the connected repo in
 * its place (the demo's SHAs depend on when it was first seeded), see `withCommit`.
 */
export const EXAMPLE_COMMIT = 'c39eb54';

/** An example's text with a commit that exists in place of the placeholder one. */
export const withCommit = (text: string, commit: string | null | undefined): string =>
  commit ? text.replaceAll(EXAMPLE_COMMIT, commit.slice(0, 7)) : text;

/** Real commands people can copy; help and "did you mean" answers in every front end use this one list. */
export const examples: readonly Example[] = [
  {
    intent: 'rollback',
    text: { ko: 'K-Le-PaaS/test01 롤백 해줘', en: 'rollback K-Le-PaaS/test01' },
    what: { ko: '직전 배포로 되돌립니다', en: 'go back to the previous deployment' },
  },
  {
    intent: 'rollback',
    text: { ko: 'test01 두 단계 전으로 되돌려', en: 'roll back test01 2 versions' },
    what: { ko: 'N번째 이전 배포로 되돌립니다', en: 'go back N deployments' },
  },
  {
    intent: 'rollback',
    text: { ko: 'test01 c39eb54로 롤백', en: 'rollback test01 to c39eb54' },
    what: { ko: '특정 커밋으로 되돌립니다', en: 'go back to a commit' },
  },
  {
    intent: 'candidates',
    text: { ko: 'test01 롤백 가능한 버전', en: 'rollback targets for test01' },
    what: {
      ko: '되돌릴 수 있는 버전 목록 (번호 = 몇 단계 전)',
      en: 'versions you can go back to (number = steps back)',
    },
  },
  {
    intent: 'diagnose',
    text: { ko: 'test01 롤백 가능해?', en: "why can't I roll back test01" },
    what: { ko: '롤백 준비 상태 점검', en: 'check rollback readiness' },
  },
  {
    intent: 'deploy',
    text: { ko: 'test01 main 브랜치 배포해줘', en: 'deploy test01 main' },
    what: { ko: '브랜치나 커밋을 빌드해서 배포합니다', en: 'build and deploy a branch or commit' },
  },
  {
    intent: 'status',
    text: { ko: 'test01 배포 상태', en: 'status of test01' },
    what: { ko: '진행 중이거나 마지막 배포의 상태', en: 'the running or last deployment' },
  },
  {
    intent: 'history',
    text: { ko: 'test01 배포 이력', en: 'deployment history of test01' },
    what: { ko: '최근 배포 이력', en: 'recent deployments' },
  },
  {
    intent: 'audit',
    text: { ko: '누가 test01 롤백했어?', en: 'who rolled back test01?' },
    what: { ko: '누가 언제 무엇을 했는지 (확인한 사람, 소요 시간)', en: 'who did what, when, who confirmed' },
  },
  {
    intent: 'lock',
    text: { ko: 'test01 30분 동안 배포 막아줘', en: 'lock test01 for 30 minutes' },
    what: {
      ko: '잠그는 동안 배포·롤백을 거절 (해제: 잠금 해제해줘)',
      en: 'refuse deploys and rollbacks meanwhile (unlock test01)',
    },
  },
  {
    intent: 'cancel',
    text: { ko: '그거 취소해', en: 'cancel that' },
    what: { ko: '기다리는 확인을 취소', en: 'cancel the confirmation waiting here' },
  },
  {
    intent: 'rollback',
    text: { ko: '한 단계 더 / 원래대로', en: 'one more / undo that' },
    what: {
      ko: '방금 롤백에서 한 단계 더, 또는 롤백 전으로',
      en: 'one further back, or back to before the rollback',
    },
  },
];

/** Why-not text for an `unknown` parse, in the user's language. */
export const unknownReasonText: Record<UnknownReason, Record<Lang, string>> = {
  empty: { ko: '무엇을 할지 말씀해 주세요.', en: 'Tell me what to do.' },
  not_understood: { ko: '요청을 이해하지 못했습니다.', en: "I didn't understand that." },
  negation: {
    ko: '하지 말라는 요청으로 이해했습니다. 아무것도 실행하지 않았습니다.',
    en: 'That reads as "do not", so I did nothing.',
  },
  multiple_commands: {
    ko: '한 번에 하나의 명령만 처리합니다. 나눠서 보내 주세요.',
    en: 'One command per message, please; send them separately.',
  },
  invalid_steps: {
    ko: '단계 수는 1 이상이어야 합니다.',
    en: 'The number of steps back must be 1 or more.',
  },
  missing_repo: {
    ko: '어느 저장소인지 알려 주세요 (예: K-Le-PaaS/test01).',
    en: 'Which repository? (e.g. K-Le-PaaS/test01)',
  },
};

const bigrams = (text: string): Set<string> => {
  const t = text.toLowerCase().replace(/\s+/g, ' ');
  const out = new Set<string>();
  for (let i = 0; i < t.length - 1; i++) out.add(t.slice(i, i + 2));
  return out;
};

/** Dice similarity of character pairs: cheap, language-agnostic, and good enough to rank eight examples. */
function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** The examples closest to what was typed (one per verb), most similar first. */
export function suggestionsFor(text: string, lang: Lang, max = 3): string[] {
  const typed = bigrams(text.slice(0, 500));
  const ranked = examples
    .map((e, order) => ({
      e,
      order,
      score: Math.max(similarity(typed, bigrams(e.text.ko)), similarity(typed, bigrams(e.text.en))),
    }))
    .sort((a, b) => b.score - a.score || a.order - b.order);
  const seen = new Set<IntentKind>();
  const picked: string[] = [];
  for (const { e } of ranked) {
    if (seen.has(e.intent)) continue;
    seen.add(e.intent);
    picked.push(e.text[lang]);
    if (picked.length === max) break;
  }
  return picked;
}
