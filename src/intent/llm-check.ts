import type { Intent, IntentKind, UnknownReason } from '../domain/intent.ts';
import { destructiveIntents, intentSchema } from '../domain/intent.ts';
import { OWNER_PATTERN, REPO_PATTERN } from '../domain/repo-ref.ts';
import { isForced } from './extras.ts';
import { normalizeMessage } from './normalize.ts';
import { isQuestion } from './question.ts';
import { isShaToken } from './sha.ts';
import { asciiLower, foldSpelling } from './spelling.ts';

/**
 * Grounding check for a model's answer. The model is good at phrasing the grammar has no rule for, but it
 * can invent a SHA or a repo the user never typed, or talk itself past a "don't". So its answer is only
 * used when every slot it names can be found in the message and it does not contradict what the
 * deterministic grammar is sure of. Pure: no I/O, no clock.
 */

export type LlmCheck = { readonly accepted: true } | { readonly accepted: false; readonly why: string };

/** The model's answer: every intent key except `source`, which the caller sets. */
export const llmAnswerSchema = intentSchema.omit({ source: true });
export type LlmAnswer = Omit<Intent, 'source'>;

/** Grammar verdicts the model may never turn into an action: the user said no, or asked for two things. */
const protectedReasons: ReadonlySet<UnknownReason> = new Set([
  'negation',
  'multiple_commands',
  'invalid_steps',
]);
/** Intents that change what runs or who may change it. */
const destructive: ReadonlySet<IntentKind> = new Set(destructiveIntents);
/**
 * Step counts the user can write in words ("three versions back", "세 단계", "전전") stop at ten in the
 * grammar's tables; a larger count without the digits in the message is more likely invented than meant.
 */
const MAX_WORDED_STEPS = 10;

const reject = (why: string): LlmCheck => ({ accepted: false, why });

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `value` stands in `haystack` as a whole name: not glued to other name characters on the left
 * or right. Korean particles (`test01을`), slashes (`owner/repo`, URLs), backticks and brackets all
 * count as edges, so the forms the grammar reads are accepted; `test` inside `test01` is not.
 */
function appearsAsName(haystack: string, value: string, left: string, right: string): boolean {
  const re = new RegExp(`(?<![${left}])${escapeRegExp(value)}(?![${right}])`, 'iu');
  return re.test(haystack);
}

const NAME_LEFT = 'A-Za-z0-9._-';
// A trailing `.` ends a sentence (`roll back test01.`) or starts `.git` in a clone URL, so it is an edge.
const NAME_RIGHT = 'A-Za-z0-9_-';
// Refs may follow `refs/heads/`, so `/` on the left is an edge; on the right it would cut `feature/x`.
const REF_LEFT = 'A-Za-z0-9._-';
const REF_RIGHT = 'A-Za-z0-9_/-';

/** Hex runs that stand alone (edges as for names), lower-cased: the only places a typed SHA can be. */
function hexTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![A-Za-z0-9])[0-9A-Fa-f]+(?![A-Za-z0-9])/g)) out.push(m[0].toLowerCase());
  return out;
}

function sameName(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

/** Shape rules the JSON schema cannot say: which slots go with which intent. */
function shapeProblem(a: LlmAnswer): string | null {
  if (a.intent === 'unknown' && a.reason === null) return 'unknown without a reason';
  if (a.intent !== 'unknown' && a.reason !== null) return `reason "${a.reason}" on a ${a.intent} intent`;
  if (a.stepsBack !== null && a.intent !== 'rollback') return `stepsBack on a ${a.intent} intent`;
  if (a.commitSha !== null && a.intent !== 'rollback' && a.intent !== 'deploy') {
    return `commitSha on a ${a.intent} intent`;
  }
  if (a.ref !== null && a.intent !== 'deploy') return `ref on a ${a.intent} intent`;
  if (a.target !== null && a.intent !== 'rollback') return `target on a ${a.intent} intent`;
  if (a.followUp !== null && a.intent !== 'rollback') return `followUp on a ${a.intent} intent`;
  if ((a.minutes !== null || a.note !== null) && a.intent !== 'lock')
    return `lock slots on a ${a.intent} intent`;
  if (a.force && a.intent !== 'rollback' && a.intent !== 'deploy') return `force on a ${a.intent} intent`;
  if (a.intent === 'rollback') {
    const named = [a.commitSha, a.stepsBack, a.target, a.followUp].filter((v) => v !== null).length;
    if (named !== 1) return 'rollback needs exactly one of commitSha, stepsBack, target and followUp';
  }
  if (a.owner !== null && a.repo === null) return 'owner without a repo';
  return null;
}

function slotProblem(a: LlmAnswer, message: string, rawDigits: ReadonlySet<number>): string | null {
  if (a.owner !== null) {
    if (!OWNER_PATTERN.test(a.owner)) return `owner "${a.owner}" is not a GitHub owner name`;
    if (!appearsAsName(message, a.owner, NAME_LEFT, NAME_RIGHT))
      return `owner "${a.owner}" not in the message`;
  }
  if (a.repo !== null) {
    if (!REPO_PATTERN.test(a.repo)) return `repo "${a.repo}" is not a repository name`;
    if (!appearsAsName(message, a.repo, NAME_LEFT, NAME_RIGHT)) return `repo "${a.repo}" not in the message`;
  }
  if (a.ref !== null) {
    const ref = a.ref.trim();
    if (ref === '' || /\s/.test(ref)) return `ref "${a.ref}" is not a ref name`;
    if (!appearsAsName(message, ref, REF_LEFT, REF_RIGHT)) return `ref "${a.ref}" not in the message`;
  }
  if (a.commitSha !== null) {
    const sha = a.commitSha.toLowerCase();
    if (!/^[0-9a-f]{7,40}$/.test(sha)) return `commitSha "${a.commitSha}" is not 7-40 hex digits`;
    // The grammar's rule: a hex-only word ("facade", "deadbeef") is a word, not a commit.
    if (!isShaToken(sha)) return `commitSha "${a.commitSha}" is a word, not a commit`;
    if (sameName(sha, a.repo) || sameName(sha, a.owner)) return `commitSha "${a.commitSha}" is the repo name`;
    if (!hexTokens(message).some((t) => t.startsWith(sha)))
      return `commitSha "${a.commitSha}" not in the message`;
  }
  const inText = (v: string) => message.toLowerCase().includes(v.trim().toLowerCase().replace(/\s+/g, ' '));
  if (a.target !== null && (a.target.trim() === '' || !inText(a.target)))
    return `target "${a.target}" not in the message`;
  if (a.note !== null && (a.note.trim() === '' || !inText(a.note)))
    return `note "${a.note}" not in the message`;
  if (a.minutes !== null) {
    const m = a.minutes;
    const written =
      [m, m / 60, m / 1440].some((n) => rawDigits.has(n)) || (m === 60 && /hour|시간/i.test(message));
    if (m < 1 || !written) return `minutes ${m} is not written in the message`;
  }
  if (a.force && !isForced(message.toLowerCase())) return 'force is not asked for in the message';
  if (a.stepsBack !== null) {
    if (a.stepsBack < 1) return `stepsBack ${a.stepsBack} is below 1`;
    if (a.stepsBack > MAX_WORDED_STEPS && !rawDigits.has(a.stepsBack)) {
      return `stepsBack ${a.stepsBack} is not written in the message`;
    }
  }
  return null;
}

/** Where the model contradicts a slot or verdict the grammar is certain of. */
function conflictWithGrammar(a: LlmAnswer, g: Intent): string | null {
  if (
    g.intent === 'unknown' &&
    g.reason !== null &&
    protectedReasons.has(g.reason) &&
    a.intent !== 'unknown'
  ) {
    return `grammar found ${g.reason}; the model may not turn it into ${a.intent}`;
  }
  if (destructive.has(a.intent) && g.intent !== 'unknown' && g.intent !== a.intent) {
    return `model says ${a.intent} where the grammar read ${g.intent}`;
  }
  if (g.target !== null && a.stepsBack !== null) {
    return `model turned the target "${g.target}" into ${a.stepsBack} back`;
  }
  if (g.followUp !== null && a.followUp !== g.followUp) return `model dropped the follow-up ${g.followUp}`;
  if (g.repo !== null && a.repo !== null && !sameName(g.repo, a.repo)) {
    return `model repo "${a.repo}" differs from the grammar's "${g.repo}"`;
  }
  if (g.owner !== null && a.owner !== null && !sameName(g.owner, a.owner)) {
    return `model owner "${a.owner}" differs from the grammar's "${g.owner}"`;
  }
  if (g.commitSha !== null && a.commitSha !== null) {
    const [x, y] = [g.commitSha.toLowerCase(), a.commitSha.toLowerCase()];
    if (!x.startsWith(y) && !y.startsWith(x)) return `model commit ${y} differs from the grammar's ${x}`;
  }
  if (g.commitSha !== null && a.commitSha === null && destructive.has(a.intent)) {
    return `model dropped the commit ${g.commitSha} the grammar found`;
  }
  // The grammar's count comes from the words the user typed; a model that counts differently is wrong
  // or guessing, and a rollback by the wrong number of steps is the one mistake we must not make.
  if (g.stepsBack !== null && a.stepsBack !== null && g.stepsBack !== a.stepsBack) {
    return `model stepsBack ${a.stepsBack} differs from the grammar's ${g.stepsBack}`;
  }
  if (g.ref !== null && a.ref !== null && !sameName(g.ref, a.ref)) {
    return `model ref "${a.ref}" differs from the grammar's "${g.ref}"`;
  }
  return null;
}

/**
 * Accepts the model's answer only when it is schema-valid, well-shaped, grounded in the message and not
 * in conflict with the grammar's reading of the same message.
 */
export function checkLlmAnswer(text: string, answer: unknown, grammar: Intent): LlmCheck {
  const parsed = llmAnswerSchema.safeParse(answer);
  if (!parsed.success) return reject(`not a valid intent: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const a = parsed.data;
  const message = normalizeMessage(text);
  const rawDigits = new Set([...message.matchAll(/\d+/g)].map((m) => Number(m[0])));
  if (destructive.has(a.intent) && isQuestion(asciiLower(foldSpelling(message)))) {
    return reject(`the message is a question; the model may not turn it into ${a.intent}`);
  }
  return (
    [shapeProblem(a), slotProblem(a, message, rawDigits), conflictWithGrammar(a, grammar)]
      .map((p) => (p === null ? null : reject(p)))
      .find((r) => r !== null) ?? { accepted: true }
  );
}

/** `value` spelled as the message spells it (a model may change case); `value` itself when absent. */
export function typedSpelling(message: string, value: string): string {
  const m = new RegExp(escapeRegExp(value), 'iu').exec(message);
  return m ? m[0] : value;
}
