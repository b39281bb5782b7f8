import { z } from 'zod';
import type { Lang } from '../domain/intent.ts';
import { langs } from '../domain/intent.ts';
import type { ConversationStore } from '../services/ports.ts';
import type { Actor, BotReply, PendingSummary } from './types.ts';

/**
 * What a conversation remembers between messages: its repo, its language, the last confirmation it was
 * asked and the plan behind it. Stored as JSON in the database (any process may take the next message),
 * so it is parsed back with zod; a row that no longer parses is treated as no memory.
 */
export const conversationStateSchema = z.object({
  owner: z.string(),
  repo: z.string(),
  lang: z.enum(langs),
  pendingId: z.string().nullable(),
  pending: z
    .object({
      kind: z.enum(['rollback', 'deploy']),
      owner: z.string(),
      repo: z.string(),
      targetSha: z.string(),
      /** "N back" of a rollback plan (0: a faulty version taken on purpose). */
      stepsBack: z.number().int().nullable(),
    })
    .nullable(),
  /** Set when a new request dropped the pending confirmation: what was asked instead. */
  droppedBy: z.string().nullable(),
});
export type ConversationState = z.infer<typeof conversationStateSchema>;

export function conversationKey(actor: Actor): string | null {
  if (actor.conversation) return actor.conversation;
  if (actor.via === 'slack' && actor.channel && actor.threadTs)
    return `slack:${actor.channel}:${actor.threadTs}`;
  return null;
}

export function loadConversation(store: ConversationStore, key: string | null): ConversationState | null {
  if (!key) return null;
  const parsed = conversationStateSchema.safeParse(store.get(key));
  return parsed.success ? parsed.data : null;
}

export const summaryOf = (s: ConversationState): PendingSummary | null =>
  s.pending
    ? { kind: s.pending.kind, owner: s.pending.owner, repo: s.pending.repo, targetSha: s.pending.targetSha }
    : null;

/** The state after a reply: the repo it was about, and the confirmation it asked, if any. */
export function nextState(
  prev: ConversationState | null,
  reply: BotReply,
  lang: Lang,
  droppedBy: string | null,
): ConversationState | null {
  const base = (owner: string, repo: string): ConversationState => ({
    owner,
    repo,
    lang,
    pendingId: prev?.pendingId ?? null,
    pending: prev?.pending ?? null,
    droppedBy: droppedBy ?? prev?.droppedBy ?? null,
  });
  switch (reply.kind) {
    case 'confirm_rollback': {
      const p = reply.plan;
      return {
        ...base(p.owner, p.repo),
        pendingId: reply.pendingId,
        pending: {
          kind: 'rollback',
          owner: p.owner,
          repo: p.repo,
          targetSha: p.target.commitSha,
          stepsBack: p.stepsBack,
        },
        droppedBy: null,
      };
    }
    case 'confirm_deploy': {
      const p = reply.plan;
      return {
        ...base(p.owner, p.repo),
        pendingId: reply.pendingId,
        pending: { kind: 'deploy', owner: p.owner, repo: p.repo, targetSha: p.commitSha, stepsBack: null },
        droppedBy: null,
      };
    }
    case 'diagnose':
      return base(reply.report.owner, reply.report.repo);
    case 'candidates':
      return base(reply.list.owner, reply.list.repo);
    case 'history':
    case 'status':
    case 'unlocked':
      return base(reply.owner, reply.repo);
    case 'audit':
      return base(reply.report.owner, reply.report.repo);
    case 'locked':
      return base(reply.lock.owner, reply.lock.repo);
    case 'started':
      return base(reply.deployment.owner, reply.deployment.repo);
    case 'cancel_running':
      return base(reply.deployment.owner, reply.deployment.repo);
    default:
      return prev ? { ...prev, lang, droppedBy: droppedBy ?? prev.droppedBy } : null;
  }
}

const YES = new Set(['y', 'yes', 'ok', 'go', '네', '예', '응', 'ㅇ', 'ㅇㅇ', '넵', '네네', '진행', '좋아']);
const NO = new Set(['n', 'no', 'nope', '아니', '아니오', '아니요', 'ㄴ', 'ㄴㄴ']);

/** A bare yes or no typed as a message (a Slack thread reply, or the console after a dropped question). */
export function bareAnswer(text: string): 'go' | 'cancel' | null {
  const a = text
    .trim()
    .toLowerCase()
    .replace(/[.!~?]+$/u, '');
  if (YES.has(a)) return 'go';
  if (NO.has(a)) return 'cancel';
  return null;
}
