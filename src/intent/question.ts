import { destructiveIntents, type IntentKind } from '../domain/intent.ts';

/**
 * Questions never act. "누가 test01 롤백했어?" mentions a rollback but asks about the past; acting on it
 * would start the very thing the person is asking about. A question that names a destructive verb is
 * answered by the read-only intent that fits its tense: now → status, the past → audit, a hypothetical
 * rollback → candidates (which version would I get) or diagnose (would it work).
 *
 * Polite requests are not questions: "can you roll back test01?", "롤백해 줄래?" ask for the action.
 * Input is the lower-cased, spelling-folded message.
 */

const EN_WH = /(?<![a-z])(?:who|whom|whose|when|why|what|what's|whats|which|where)(?![a-z])/;
const EN_YES_NO = /^(?:did|was|were|has|have|had|is|are|does)(?![a-z])/;
const EN_REQUEST = /(?<![a-z])(?:can|could|would|will) (?:you|u|we|i)(?![a-z])|(?<![a-z])please(?![a-z])/;
const EN_PAST =
  /(?<![a-z])(?:did|was|were|had|has|have|yesterday|ago|earlier|last night|rolled|deployed|locked|reverted|canceled|cancelled)(?![a-z])/;
const EN_HYPOTHETICAL = /(?<![a-z])(?:if|what if|suppose|would (?:a|the|it|that|this))(?![a-z])/;
const EN_WHICH_VERSION = /(?<![a-z])(?:what|which)(?![a-z]).*(?<![a-z])(?:get|version|commit|land|end up)/;
const EN_FAIL = /(?<![a-z])(?:fail|failed|failing|broke|broken|error)(?![a-z])/;

const KO_WH = /누가|누구|언제|왜|뭐|무엇|무슨|몇/;
/** A past-tense verb ending: nothing said in the past tense is a command. */
const KO_PAST =
  /(?:했|됐|었|았|였|갔|왔|웠|렸|켰|쳤)(?:어|나|니|냐|는지|어요|나요|습니까|지|다|던|는데|을까)/;
const KO_TIME_PAST = /어제|그제|그저께|지난\s*(?:주|번|달)|아까|방금/;
const KO_HYPOTHETICAL = /(?:하면|되면|한다면|된다면|할\s*경우|하려면)/;
const KO_WHICH_VERSION = /어떤\s*버전|어느\s*버전|무슨\s*버전|뭐로|어디로|어떤\s*커밋|어느\s*커밋/;
const KO_FAIL = /실패|안\s*됐|오류|에러/;
const KO_REQUEST = /(?:줄래|줄\s*수\s*있|주세요|주실|줘|해\s*줘|할래|해봐|해\s*봐)\s*[?？]?\s*$/;

const destructive: ReadonlySet<IntentKind> = new Set(destructiveIntents);

/** Whether the message asks something rather than asking for something. */
export function isQuestion(lower: string): boolean {
  const ko = /[가-힣]/.test(lower);
  if (ko) {
    if (KO_REQUEST.test(lower) && !KO_WH.test(lower)) return false;
    return KO_WH.test(lower) || KO_PAST.test(lower) || KO_HYPOTHETICAL.test(lower);
  }
  if (EN_REQUEST.test(lower) && !EN_WH.test(lower)) return false;
  return EN_WH.test(lower) || EN_YES_NO.test(lower) || EN_HYPOTHETICAL.test(lower);
}

/** The read-only intent a question about a destructive verb asks for; any other intent is kept. */
export function questionIntent(lower: string, kind: IntentKind): IntentKind {
  if (!destructive.has(kind) || !isQuestion(lower)) return kind;
  const ko = /[가-힣]/.test(lower);
  const hypothetical = ko ? KO_HYPOTHETICAL.test(lower) : EN_HYPOTHETICAL.test(lower);
  if (hypothetical) {
    const which = ko ? KO_WHICH_VERSION.test(lower) : EN_WHICH_VERSION.test(lower);
    return which ? 'candidates' : 'diagnose';
  }
  const why = ko ? /왜/.test(lower) : /(?<![a-z])why(?![a-z])/.test(lower);
  if (why && (ko ? KO_FAIL.test(lower) : EN_FAIL.test(lower))) return 'diagnose';
  const past = ko ? KO_PAST.test(lower) || KO_TIME_PAST.test(lower) : EN_PAST.test(lower);
  const who = ko ? /누가|누구/.test(lower) : /(?<![a-z])who(?![a-z])/.test(lower);
  if (past || who) return 'audit';
  return 'status';
}
