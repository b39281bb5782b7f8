import type { Intent, IntentKind, Lang, UnknownReason } from '../domain/intent.ts';
import { unknownIntent } from '../domain/intent.ts';
import { detectLang } from '../domain/lang.ts';
import { followUpOf, isForced, lockMinutes, lockNote, rollbackTarget } from './extras.ts';
import { categoryRank, findHits, type Hit, hasConjunction } from './matcher.ts';
import { normalizeMessage } from './normalize.ts';
import type { PhraseCategory } from './phrase-table.ts';
import { questionIntent } from './question.ts';
import { resolveSlots, type Slots } from './slots.ts';
import { asciiLower, foldSpelling } from './spelling.ts';
import { extractSteps } from './steps.ts';
import { splitPieces } from './tokens.ts';

export interface GrammarOptions {
  /** The verb a slash command implies (`/rollback ...` hints rollback) when the text names none. */
  readonly hint?: IntentKind;
}

/** Work is bounded whatever arrives: only this much raw text is read (Slack allows 40,000 characters). */
const MAX_INPUT_CHARS = 4000;
/** A command fits in a sentence or two; a longer text (a pasted log) is not taken as one. */
const MAX_COMMAND_CHARS = 500;

/** Deterministic, network-free parse of one chat message. Never throws. */
export function parseWithGrammar(text: string, opts: GrammarOptions = {}): Intent {
  let lang: Lang = 'en';
  try {
    const raw = typeof text === 'string' ? text.slice(0, MAX_INPUT_CHARS) : '';
    const normalized = normalizeMessage(raw);
    lang = detectLang(normalized);
    const hint = opts.hint === 'unknown' ? undefined : opts.hint;
    return parseNormalized(normalized, lang, hint);
  } catch {
    return unknownIntent(lang, 'not_understood');
  }
}

const EMPTY_SLOTS: Slots = {
  owner: null,
  repo: null,
  commitSha: null,
  ref: null,
  multipleRepos: false,
  freeWords: [],
};

function parseNormalized(normalized: string, lang: Lang, hint: IntentKind | undefined): Intent {
  if (normalized === '') return hint ? build(hint, lang, EMPTY_SLOTS, '', '') : unknownIntent(lang, 'empty');
  if (normalized.length > MAX_COMMAND_CHARS) return unknownIntent(lang, 'not_understood');

  const folded = foldSpelling(normalized);
  const lower = asciiLower(folded);
  const hits = findHits(lower);
  if (hits.some((h) => h.category === 'negation')) return unknownIntent(lang, 'negation');
  const intentHits = hits.filter((h) => h.category !== 'negation');
  if (joinsTwoCommands(intentHits, lower)) return unknownIntent(lang, 'multiple_commands');

  const followUp = followUpOf(lower);
  const picked = followUp ? 'rollback' : (pickIntent(intentHits) ?? hint);
  if (!picked) return unknownIntent(lang, 'not_understood');
  const kind = followUp ? picked : questionIntent(lower, picked);

  const slots = resolveSlots({ text: folded, pieces: splitPieces(folded), hits, kind, lang, hinted: !!hint });
  if (slots.multipleRepos) return unknownIntent(lang, 'multiple_commands');
  const intent = build(kind, lang, slots, folded, lower);
  return followUp && intent.intent === 'rollback'
    ? { ...intent, stepsBack: null, commitSha: null, target: null, followUp }
    : intent;
}

/** Two command phrases with "and", "then", "하고", "다음", a comma... between them are two commands. */
function joinsTwoCommands(hits: readonly Hit[], lower: string): boolean {
  const commands = hits.filter((h) => h.category !== 'helpWeak');
  for (let i = 1; i < commands.length; i++) {
    const a = commands[i - 1];
    const b = commands[i];
    if (a && b && hasConjunction(lower.slice(a.end, b.start))) return true;
  }
  return false;
}

function pickIntent(hits: readonly Hit[]): IntentKind | undefined {
  let best: PhraseCategory | undefined;
  for (const h of hits)
    if (best === undefined || categoryRank(h.category) < categoryRank(best)) best = h.category;
  if (best === undefined || best === 'negation') return undefined;
  return best === 'helpWeak' ? 'help' : best;
}

function build(kind: IntentKind, lang: Lang, slots: Slots, text: string, lower: string): Intent {
  const base: Intent = {
    ...unknownIntent(lang, 'not_understood'),
    intent: kind,
    reason: null,
  };
  const named = { ...base, owner: slots.owner, repo: slots.repo };
  switch (kind) {
    case 'unknown':
      return unknownIntent(lang, 'not_understood');
    case 'help':
      return base;
    case 'rollback': {
      // A SHA and a count in one message ("rollback test01 2 steps to c39eb54"): the SHA wins. It names
      // the exact target, while a count depends on history the user may have misremembered; the
      // confirmation shown before acting names the commit, so a wrong guess is caught there.
      const force = isForced(lower);
      if (slots.commitSha) return { ...named, commitSha: slots.commitSha, force };
      // A count the user wrote wins; then a target the grammar cannot read (kept as typed, never "1
      // back"); a lone number last, since "v1.2" or "3시" hold digits that are not counts.
      const explicit = extractSteps(lower);
      const target =
        explicit === null ? rollbackTarget({ text, lower, freeWords: slots.freeWords }, slots.ref) : null;
      if (target !== null) {
        // A word of the target ("from this morning") is not the repo; a named repo stays.
        const inTarget = slots.owner === null && slots.repo !== null && target.includes(slots.repo);
        return { ...named, repo: inTarget ? null : named.repo, target, force };
      }
      const steps = explicit ?? extractSteps(lower, { allowBare: true }) ?? 1;
      if (steps < 1) return unknownIntent(lang, 'invalid_steps' satisfies UnknownReason);
      return { ...named, stepsBack: steps, force };
    }
    case 'deploy':
      return slots.commitSha
        ? { ...named, commitSha: slots.commitSha, force: isForced(lower) }
        : { ...named, ref: slots.ref, force: isForced(lower) };
    case 'lock':
      return { ...named, minutes: lockMinutes(lower), note: lockNote(text) };
    default:
      return named;
  }
}
