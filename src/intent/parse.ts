import type { Intent, IntentKind } from '../domain/intent.ts';
import { intentSchema, unknownIntent } from '../domain/intent.ts';
import { parseWithGrammar } from './grammar.ts';
import { checkLlmAnswer, typedSpelling } from './llm-check.ts';
import { normalizeMessage } from './normalize.ts';

/** Why a model call gave no answer; the parser only logs it and keeps the grammar's reading. */
export type LlmFailureKind =
  | 'timeout'
  | 'http_status'
  | 'connection'
  | 'refusal'
  | 'invalid_json'
  | 'schema'
  | 'truncated'
  | 'empty'
  | 'unexpected';

export type LlmOutcome =
  | { readonly ok: true; readonly answer: unknown }
  | { readonly ok: false; readonly kind: LlmFailureKind; readonly detail: string };

/**
 * The port the parser needs from a language model (src/llm implements it). Implementations resolve
 * with a failure instead of throwing; the parser guards against a throw anyway.
 */
export interface IntentLlm {
  interpret(text: string, opts: { readonly hint?: IntentKind }): Promise<LlmOutcome>;
}

/** The slice of a pino logger the parser uses, so this pure folder does not import the logging driver. */
export interface ParserLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ParseOptions {
  readonly hint?: IntentKind;
  /** Skip the model even when one is configured (the CLI's `--no-llm`). */
  readonly noLlm?: boolean;
}

export interface IntentParser {
  parse(text: string, opts?: ParseOptions): Promise<Intent>;
}

/**
 * Chat commands are a line or two. Anything much longer is a paste (a log, a stack trace) that the
 * grammar has already read; sending it to the model only costs time and tokens.
 */
const MAX_LLM_CHARS = 2000;

function fromLlm(text: string, answer: unknown, grammar: Intent): Intent | null {
  const parsed = intentSchema.omit({ source: true }).safeParse(answer);
  if (!parsed.success) return null;
  const a = parsed.data;
  const message = normalizeMessage(text);
  return {
    ...a,
    // Names as the user typed them: the check matched them case-insensitively, lookups later may not.
    owner: a.owner === null ? null : typedSpelling(message, a.owner),
    repo: a.repo === null ? null : typedSpelling(message, a.repo),
    ref: a.ref === null ? null : typedSpelling(message, a.ref.trim()),
    commitSha: a.commitSha === null ? null : a.commitSha.toLowerCase(),
    // Which language to answer in is a property of the text the grammar reads deterministically.
    lang: grammar.lang,
    source: 'llm',
  };
}

/**
 * Grammar first, always; then the model when one is configured. The model's reading wins only when the
 * grounding check accepts it, so the model can add understanding but never invent a slot or override a
 * "don't". Never throws: the worst case is the grammar's answer.
 */
export function createIntentParser(deps: { llm: IntentLlm | null; logger: ParserLogger }): IntentParser {
  const { llm, logger } = deps;

  async function askModel(text: string, grammar: Intent, opts: ParseOptions): Promise<Intent> {
    if (!llm || opts.noLlm) return grammar;
    const message = normalizeMessage(text);
    if (grammar.reason === 'empty' || message === '' || message.length > MAX_LLM_CHARS) return grammar;
    let outcome: LlmOutcome;
    try {
      outcome = await llm.interpret(message, opts.hint === undefined ? {} : { hint: opts.hint });
    } catch (err) {
      logger.warn({ err }, 'intent model threw; using the grammar');
      return grammar;
    }
    if (!outcome.ok) return grammar;
    const check = checkLlmAnswer(text, outcome.answer, grammar);
    if (!check.accepted) {
      logger.info(
        { why: check.why, grammarIntent: grammar.intent },
        'model answer rejected; using the grammar',
      );
      return grammar;
    }
    return fromLlm(text, outcome.answer, grammar) ?? grammar;
  }

  return {
    async parse(text, opts = {}) {
      let grammar: Intent;
      try {
        grammar = parseWithGrammar(
          typeof text === 'string' ? text : '',
          opts.hint ? { hint: opts.hint } : {},
        );
      } catch (err) {
        logger.warn({ err }, 'grammar threw; answering unknown');
        return unknownIntent('en', 'not_understood');
      }
      return askModel(typeof text === 'string' ? text : '', grammar, opts);
    },
  };
}
