import { readFileSync } from 'node:fs';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { Config } from '../config/load.ts';
import type { IntentKind } from '../domain/intent.ts';
import { llmAnswerSchema } from '../intent/llm-check.ts';
import type { IntentLlm, LlmFailureKind, LlmOutcome } from '../intent/parse.ts';
import type { Logger } from '../log/logger.ts';

export type IntentLlmConfig = NonNullable<Config['llm']>;

export interface IntentLlmOptions {
  /** The system prompt; defaults to prompts/intent-system.md next to the sources. */
  readonly promptPath?: string | URL;
}

export const defaultPromptPath = new URL('../../prompts/intent-system.md', import.meta.url);

/**
 * The structured-output contract, derived from the same zod schema the grammar's answers satisfy.
 * `zodResponseFormat` from the SDK accepts zod v4 schemas (it converts them with zod's own JSON Schema
 * support and validates the answer with the schema's `parse`), so no hand-written JSON Schema is needed.
 */
const responseFormat = zodResponseFormat(llmAnswerSchema, 'chat_intent');

// The SDK owns the answer's parse; a second zod parse here is the edge check STYLE.md asks for and
// keeps the port's contract (a valid answer or a typed failure) independent of the SDK's internals.
const answerGuard = llmAnswerSchema;

function hintMessage(hint: IntentKind): string {
  // Fixed text chosen by an enum value: nothing the user typed reaches a system message.
  return `Context: the message was sent with a slash command that means "${hint}". Use that intent unless the text clearly asks for something else, says no, or holds two commands.`;
}

function classify(err: unknown): { kind: LlmFailureKind; detail: string } {
  // Timeout and abort first: both subclass the connection/API errors below.
  if (err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError) {
    return { kind: 'timeout', detail: 'no answer within the time limit' };
  }
  if (err instanceof APIConnectionError) return { kind: 'connection', detail: err.message };
  if (err instanceof APIError) return { kind: 'http_status', detail: `HTTP ${err.status ?? 'unknown'}` };
  if (err instanceof SyntaxError) return { kind: 'invalid_json', detail: err.message };
  if (err instanceof z.ZodError) {
    return { kind: 'schema', detail: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  // LengthFinishReasonError / ContentFilterFinishReasonError are not exported from the SDK's root.
  if (err instanceof Error && /length limit|content filter/i.test(err.message)) {
    return { kind: 'truncated', detail: err.message };
  }
  return { kind: 'unexpected', detail: err instanceof Error ? err.name : typeof err };
}

/**
 * The intent model over any OpenAI-compatible chat-completions server. One call per message, bounded by
 * `timeoutMs` with no retries (a retry would double the wait a person sees, and the grammar's answer is
 * always there to fall back on). Every failure resolves as a typed outcome; nothing is thrown.
 */
export function createIntentLlm(
  config: IntentLlmConfig,
  logger: Logger,
  opts: IntentLlmOptions = {},
): IntentLlm {
  const systemPrompt = readFileSync(opts.promptPath ?? defaultPromptPath, 'utf8');
  const client = new OpenAI({
    apiKey: config.apiKey,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    timeout: config.timeoutMs,
    maxRetries: 0,
  });
  const log = logger.child({ module: 'intent-llm', model: config.model });

  async function call(text: string, hint: IntentKind | undefined): Promise<LlmOutcome> {
    // The user's text goes only into the user message, never spliced into instructions, so no text
    // can close a tag or "end" the system prompt.
    const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: systemPrompt }];
    if (hint !== undefined) messages.push({ role: 'system', content: hintMessage(hint) });
    messages.push({ role: 'user', content: text });

    // The SDK's own timeout covers the connection; the signal also bounds reading a slow body.
    const completion = await client.chat.completions.parse(
      // Temperature is left at the server default: reasoning models reject any other value, and the
      // strict schema plus few-shot examples already keep answers stable.
      { model: config.model, messages, response_format: responseFormat },
      { signal: AbortSignal.timeout(config.timeoutMs), timeout: config.timeoutMs, maxRetries: 0 },
    );
    const message = completion.choices[0]?.message;
    if (!message) return { ok: false, kind: 'empty', detail: 'no choices in the answer' };
    if (message.refusal) return { ok: false, kind: 'refusal', detail: message.refusal.slice(0, 200) };
    if (message.parsed === null || message.parsed === undefined) {
      return { ok: false, kind: 'empty', detail: 'no content in the answer' };
    }
    const guarded = answerGuard.safeParse(message.parsed);
    if (!guarded.success) return { ok: false, kind: 'schema', detail: guarded.error.message.slice(0, 200) };
    return { ok: true, answer: guarded.data };
  }

  return {
    async interpret(text, { hint } = {}) {
      const started = performance.now();
      try {
        const outcome = await call(text, hint);
        const ms = Math.round(performance.now() - started);
        if (outcome.ok) log.debug({ ms }, 'intent model answered');
        else
          log.warn({ kind: outcome.kind, detail: outcome.detail, ms }, 'intent model gave no usable answer');
        return outcome;
      } catch (err) {
        const { kind, detail } = classify(err);
        log.warn({ kind, detail, ms: Math.round(performance.now() - started) }, 'intent model call failed');
        return { ok: false, kind, detail };
      }
    },
  };
}
