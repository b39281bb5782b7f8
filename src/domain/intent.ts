import { z } from 'zod';

export const intentKinds = [
  'rollback',
  'diagnose',
  'candidates',
  'history',
  'deploy',
  'status',
  'help',
  'unknown',
] as const;
export type IntentKind = (typeof intentKinds)[number];

/** Why a message parsed to `unknown`; stable codes the front ends turn into words. */
export const unknownReasons = [
  'empty',
  'not_understood',
  'negation',
  'multiple_commands',
  'invalid_steps',
  'missing_repo',
] as const;
export type UnknownReason = (typeof unknownReasons)[number];

export const langs = ['ko', 'en'] as const;
export type Lang = (typeof langs)[number];

/**
 * The canonical intent: exactly these keys, every slot a value or null. The CLI prints it as JSON and the
 * LLM's structured output is derived from it, so grammar and model speak one shape.
 */
export const intentSchema = z
  .object({
    intent: z.enum(intentKinds),
    owner: z.string().nullable(),
    repo: z.string().nullable(),
    commitSha: z.string().nullable(),
    stepsBack: z.number().int().nullable(),
    ref: z.string().nullable(),
    lang: z.enum(langs),
    source: z.enum(['grammar', 'llm']),
    reason: z.enum(unknownReasons).nullable(),
  })
  .strict();
export type Intent = z.infer<typeof intentSchema>;

export function unknownIntent(lang: Lang, reason: UnknownReason): Intent {
  return {
    intent: 'unknown',
    owner: null,
    repo: null,
    commitSha: null,
    stepsBack: null,
    ref: null,
    lang,
    source: 'grammar',
    reason,
  };
}
