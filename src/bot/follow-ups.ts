import type { Integration } from '../domain/deployment.ts';
import type { Intent } from '../domain/intent.ts';
import { type ConversationState, summaryOf } from './conversation.ts';
import type { DispatcherDeps, RollbackSelector } from './deps.ts';
import { nothingWaiting, notYourConfirmation } from './errors.ts';
import type { Actor, BotReply, PendingSummary } from './types.ts';

/**
 * The conversation half of the dispatcher: how a follow-up ("한 단계 더", "원래대로", "상태는?", a typed
 * "y") reads what this thread or session talked about last.
 */
export function createFollowUps(
  deps: DispatcherDeps,
  decide: (pendingId: string, decision: 'go' | 'cancel', actor: Actor) => Promise<BotReply>,
) {
  /**
   * The selector a rollback request means. A follow-up reads the conversation: "한 단계 더" is one more
   * than the plan just asked (or 1 back from what runs now once that plan ran); "원래대로" is the version
   * the last rollback rolled away from, taken on purpose. A target in words is resolved by the services,
   * with the reasoning shown; it never falls back to 1 back.
   */
  async function rollbackSelector(
    intent: Intent,
    owner: string,
    repo: string,
    known: Integration | null,
    ctx: ConversationState | null,
  ): Promise<{ selector: RollbackSelector; reasoning: { en: string; ko: string } | null }> {
    if (intent.followUp === 'undo') {
      const t = await deps.services.undoTarget(owner, repo);
      return { selector: { commitSha: t.commitSha, faultyOk: true }, reasoning: null };
    }
    if (intent.followUp === 'further') {
      const last = ctx?.pending?.kind === 'rollback' ? ctx.pending : null;
      const ran = last && ctx?.pendingId ? deps.pending.get(ctx.pendingId)?.state === 'confirmed' : false;
      return { selector: { stepsBack: last && !ran ? (last.stepsBack ?? 0) + 1 : 1 }, reasoning: null };
    }
    if (intent.target !== null) {
      const r = await deps.services.resolveTarget(owner, repo, intent.target, deps.timeZone, known);
      return { selector: { commitSha: r.commitSha }, reasoning: r.reasoning };
    }
    return {
      selector: intent.commitSha ? { commitSha: intent.commitSha } : { stepsBack: intent.stepsBack ?? 1 },
      reasoning: null,
    };
  }

  /** Cancels the confirmation waiting in this conversation; the summary of it, or null if none was. */
  /**
   * Only the requester's own new message drops their question (someone else chatting in the thread does
   * not); an explicit cancel by anyone else needs an approver, as a press would.
   */
  const dropPending = (
    ctx: ConversationState | null,
    actor: Actor,
    explicit = false,
  ): PendingSummary | null => {
    if (!ctx?.pendingId) return null;
    const p = deps.pending.get(ctx.pendingId);
    if (p?.state !== 'pending' || p.expiresAt.getTime() <= deps.clock.now().getTime()) return null;
    const own = p.requestedBy === null || p.requestedBy === actor.user;
    if (!own) {
      if (!explicit) return null;
      if (actor.user === null || !deps.approvers.includes(actor.user))
        throw notYourConfirmation(p.requestedBy);
    }
    return deps.pending.decide(p.id, 'canceled', actor.user, deps.clock.now()) ? summaryOf(ctx) : null;
  };

  /** A follow-up with no repo of its own ("상태는?", "cancel that") is about the conversation's repo. */
  function withConversation(intent: Intent, ctx: ConversationState | null): Intent {
    if (!ctx || intent.repo !== null || intent.intent === 'help' || intent.intent === 'unknown')
      return intent;
    return { ...intent, owner: ctx.owner, repo: ctx.repo };
  }

  /** A bare "y"/"n" typed in a conversation: answers its waiting confirmation, or says where it went. */
  async function answerTyped(
    ctx: ConversationState,
    answer: 'go' | 'cancel',
    actor: Actor,
  ): Promise<BotReply> {
    const p = ctx.pendingId ? deps.pending.get(ctx.pendingId) : null;
    const live = p?.state === 'pending' && p.expiresAt.getTime() > deps.clock.now().getTime();
    if (p && live) return decide(p.id, answer, actor);
    const why = !p
      ? 'none'
      : ctx.droppedBy && p.state === 'canceled'
        ? 'dropped'
        : p.state === 'pending'
          ? 'expired'
          : 'decided';
    throw nothingWaiting(summaryOf(ctx), why, ctx.droppedBy);
  }

  return { rollbackSelector, dropPending, withConversation, answerTyped };
}
