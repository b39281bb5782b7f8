import type { FollowUp } from '../domain/intent.ts';
import { isRefShaped } from './ref.ts';

/**
 * Slots beyond repo/commit/count: follow-ups in a conversation, a rollback target the grammar cannot
 * turn into a commit or a count, lock duration and reason, and an explicit force. Pure; input is the
 * folded message (`text`) and its ASCII-lower-cased copy (`lower`), same offsets.
 */

const FURTHER_EN =
  /^(?:(?:actually|no|nope|hmm|ok|okay)[, ]+)?(?:go |roll ?back )?(?:one more(?: step)?(?: back)?|one step (?:further|more)(?: back)?|(?:the )?one before(?: that| it)?|further back|back one more|another step back)(?: please| pls)?[.!?]*$/;
const FURTHER_KO =
  /^(?:아니\s*)?(?:한\s*단계\s*더|하나\s*더|한\s*번\s*더|그\s*전\s*(?:거|것|버전)|더\s*이전|더\s*전으로|한\s*칸\s*더)/;
const UNDO_EN =
  /^(?:please )?(?:undo (?:that|it|this|the rollback|that rollback)|revert (?:that|the rollback)|put it back|roll ?forward|go back to how it was|back to how it was)(?: please| pls)?[.!?]*$/;
const UNDO_KO = /원래대로|원상\s*복구|롤백\s*되돌려|롤백한\s*거\s*(?:되돌려|원복|취소)/;

/** "한 단계 더", "one more", "actually the one before" → further; "원래대로", "undo that" → undo. */
export function followUpOf(lower: string): FollowUp | null {
  const s = lower.replace(/^[^a-z0-9가-힣]+/, '').trim();
  if (UNDO_EN.test(s) || UNDO_KO.test(s)) return 'undo';
  if (FURTHER_EN.test(s) || FURTHER_KO.test(s)) return 'further';
  return null;
}

/** Words after "to" that mean the default target (1 back), not a target to resolve. */
const PLAIN_PREVIOUS =
  /^(?:the )?(?:(?:last|previous|prior|earlier|older|old|one before|before)(?: known)?(?: good| working| stable| healthy)?|good|working|stable)(?: one| version| deploy(?:ment)?| release| commit| build| state| image)?(?: (?:of|for) \S+)?(?: please| pls)?$/;
/** "to 2 versions back", "to HEAD~2": a count, read by the step extractor. */
const COUNTED = /^(?:the )?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b|~\d|\^/;
const TIME_OR_BEFORE_EN =
  /(?<![a-z])(?:before|yesterday|today|ago|morning|afternoon|evening|night|noon|midnight|o'clock|monday|tuesday|wednesday|thursday|friday|saturday|sunday|last week)(?![a-z])|(?<![a-z0-9])\d{1,2}(?::\d{2})?\s*(?:am|pm)(?![a-z])/;
const KO_TARGET =
  /((?:어제|그제|그저께|오늘|지난\s*주|지난주|아침|오전|오후|저녁|밤|\d{1,2}\s*시)[^,.!?]*?전|[A-Za-z0-9가-힣._-]+\s*(?:변경|바뀌기|바꾸기|수정|머지|추가|적용|배포)\s*(?:하기\s*)?전)\s*(?:으로|로|버전|상태)/;

export interface TargetInput {
  readonly text: string;
  readonly lower: string;
  /** Words the slot resolver did not take as the repo or a commit. */
  readonly freeWords: readonly string[];
}

/**
 * What a rollback names as its target when that is neither a commit nor a count: a branch or tag
 * ("to main", "develop 브랜치로"), a commit prefix too short to be one ("to 2a7a"), a time or an event
 * ("to yesterday", "before the redis change", "어제 배포 전"). Null when the rollback names no target.
 */
export function rollbackTarget(input: TargetInput, refCued: string | null): string | null {
  if (refCued) return refCued;
  const { text, lower } = input;
  const ko = KO_TARGET.exec(text);
  if (ko?.[1]) return ko[1].replace(/\s+/g, ' ').trim();
  const to = /(?<![a-z])(?:to|back to|until)\s+(.+?)[.!?]*$/.exec(lower);
  if (to?.[1]) {
    let rest = to[1].trim();
    if (!PLAIN_PREVIOUS.test(rest)) {
      const before = /(?<![a-z])before\s+.+$/.exec(rest);
      if (before) rest = before[0];
      else
        rest = rest.replace(
          /^(?:the )?(?:version|one|commit|deploy(?:ment)?|release|state)\s+(?:from|of|at)\s+/,
          '',
        );
      // Anything else after "to" is a target in words: kept as typed for the services to resolve or
      // refuse with the candidates, never read as "1 back".
      if (TIME_OR_BEFORE_EN.test(rest) || (!COUNTED.test(rest) && !isShaLike(rest))) {
        // The same words as typed: `lower` differs from `text` only in ASCII case, offset for offset.
        const at = lower.lastIndexOf(rest);
        return at >= 0 ? text.slice(at, at + rest.length) : rest;
      }
    }
  }
  for (const w of input.freeWords) {
    if (isRefShaped(w)) return w;
    // A hex run too short to be a commit (SourceCommit needs 7): kept so the answer can say so.
    if (/^[0-9a-f]{4,6}$/i.test(w) && /\d/.test(w) && /[a-f]/i.test(w)) return w;
  }
  return null;
}

const isShaLike = (s: string): boolean => /^[0-9a-f]{7,40}$/.test(s);

/** Lock duration in minutes: "30분", "2 hours", "1시간 30분", "45m", "an hour", "한 시간". */
export function lockMinutes(lower: string): number | null {
  let total = 0;
  let found = false;
  const add = (re: RegExp, per: number) => {
    const m = re.exec(lower);
    if (m?.[1]) {
      total += Number.parseInt(m[1], 10) * per;
      found = true;
    }
  };
  add(/(?<![a-z0-9])(\d{1,4})\s*(?:days?|d|일)(?![a-z])/, 1440);
  add(/(?<![a-z0-9])(\d{1,4})\s*(?:hours?|hrs?|h|시간)(?![a-z])/, 60);
  add(/(?<![a-z0-9])(\d{1,4})\s*(?:minutes?|mins?|m|분)(?![a-z])/, 1);
  if (!found && /(?<![a-z])(?:an|one) hour(?![a-z])|한\s*시간/.test(lower)) return 60;
  if (!found && /반나절/.test(lower)) return 240;
  return found && total > 0 ? total : null;
}

/** Why a lock is taken: "because of X", "due to X", "reason: X", "사유: X", "X 때문에". */
export function lockNote(text: string): string | null {
  const en = /(?<![A-Za-z])(?:because of|because|due to|reason:?|for reason:?)\s+(.+?)[.!]*$/i.exec(text);
  if (en?.[1]) return en[1].trim();
  const ko = /(?:사유|이유)\s*[:：]?\s*(.+?)[.!]*$/.exec(text);
  if (ko?.[1]) return ko[1].trim();
  const cause = /^(?:\S+\s+)?(.+?)\s*(?:때문에|으로 인해|로 인해)/.exec(text);
  if (cause?.[1]) return cause[1].trim();
  return null;
}

/** An explicit override: "force", "--force", "강제로". */
export function isForced(lower: string): boolean {
  return /(?<![a-z])(?:force|forced|--force)(?![a-z])|강제/.test(lower);
}
