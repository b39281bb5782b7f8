import { z } from 'zod';

export const intentKinds = [
  'rollback',
  'diagnose',
  'candidates',
  'history',
  'deploy',
  'status',
  'audit',
  'cancel',
  'lock',
  'unlock',
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

/** Intents that change what runs or who may change it; a question never parses to one of these. */
export const destructiveIntents: readonly IntentKind[] = ['rollback', 'deploy', 'cancel', 'lock', 'unlock'];

/** A follow-up in a conversation: one more step back than the last plan, or undo the last rollback. */
export const followUps = ['further', 'undo'] as const;
export type FollowUp = (typeof followUps)[number];

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
    /**
     * A rollback target the grammar could not read as a commit or a count ("main", "v1.2.0", "before the
     * redis change", "어제 배포 전"): kept as typed for the services to resolve or refuse, never "1 back".
     */
    target: z.string().nullable(),
    /** Lock duration in minutes. */
    minutes: z.number().int().nullable(),
    /** Why a lock is taken, as typed. */
    note: z.string().nullable(),
    /** An explicit override of a lock by a deployer ("force", "강제로"); recorded with the request. */
    force: z.boolean(),
    followUp: z.enum(followUps).nullable(),
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
    target: null,
    minutes: null,
    note: null,
    force: false,
    followUp: null,
  };
}
