import type { Integration, Requester } from '../domain/deployment.ts';
import { isKlepaasError, type KlepaasError } from '../domain/errors.ts';
import type { Intent, Lang } from '../domain/intent.ts';
import { detectLang } from '../domain/lang.ts';
import { formatRepo, type RepoRef, shortSha } from '../domain/repo-ref.ts';
import type { PendingAction } from '../services/ports.ts';
import { targetChanged } from '../services/rules/messages.ts';
import { nothingToCancel } from '../services/rules/refusals.ts';
import {
  bareAnswer,
  type ConversationState,
  conversationKey,
  loadConversation,
  nextState,
} from './conversation.ts';
import type { DispatcherDeps, PendingPayload } from './deps.ts';
import { pendingPayloadSchema } from './deps.ts';
import {
  confirmationGone,
  internalError,
  notADeployer,
  notYourConfirmation,
  repoNotFound,
} from './errors.ts';
import { suggestionsFor } from './examples.ts';
import { createFollowUps } from './follow-ups.ts';
import { createRepoActs } from './repo-acts.ts';
import { createSettleSignal } from './settle.ts';
import type { Actor, BotReply, Dispatcher, PendingSummary } from './types.ts';

const MAX_REPO_CHOICES = 10;
/** How long a second press waits for the first press's deployment record (a manifest push takes seconds). */
const SETTLE_WAIT_MS = 15_000;
/** How often a second press re-reads a confirmation another bot process won (its own wins wake it at once). */
const SETTLE_RECHECK_MS = 500;

/** The repo a request is about, and its integration as read once for the whole request (null: none). */
type Resolved =
  | { readonly ok: true; readonly ref: RepoRef; readonly integration: Integration | null }
  | { readonly ok: false; readonly reply: BotReply };

/**
 * The one conversation engine behind every front end: parse, resolve the repo, ask before anything
 * destructive, run the service, answer. Every request lands in the audit log.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const settle = createSettleSignal();
  const log = deps.logger.child({ module: 'dispatcher' });

  const errorReply = (err: unknown, lang: Lang): BotReply => {
    const known: KlepaasError = isKlepaasError(err) ? err : internalError(deps.newId().slice(0, 8));
    if (!isKlepaasError(err))
      log.error({ err, ref: known.message }, 'unexpected error while handling a request');
    return {
      kind: 'error',
      lang,
      code: known.code,
      message: known.messages[lang],
      hint: known.hint?.[lang] ?? null,
    };
  };

  const audit = (actor: Actor, text: string, intent: unknown, reply: BotReply, deploymentId?: number) => {
    try {
      deps.audit.record({
        actor: actor.user,
        via: actor.via,
        text,
        intent,
        outcome: reply.kind,
        deploymentId: deploymentId ?? null,
        errorCode: reply.kind === 'error' ? reply.code : null,
      });
    } catch (err) {
      // The audit log must never turn an answered request into a failed one.
      log.error({ err }, 'audit write failed');
    }
  };

  const requesterOf = (p: PendingAction | null, actor: Actor, lang: Lang): Requester => ({
    via: p?.via ?? actor.via,
    user: p?.requestedBy ?? actor.user,
    lang,
    slackChannel: p?.slackChannel ?? actor.channel,
    slackThreadTs: p?.slackThreadTs ?? actor.threadTs,
  });

  const newPending = (kind: PendingAction['kind'], payload: PendingPayload, actor: Actor, lang: Lang) => {
    const now = deps.clock.now();
    return deps.pending.create({
      id: deps.newId(),
      kind,
      payload,
      requestedBy: actor.user,
      via: actor.via,
      lang,
      slackChannel: actor.channel,
      slackThreadTs: actor.threadTs,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.confirmTtlMs),
    });
  };

  const resolveRepo = (intent: Intent, actor: Actor): Resolved => {
    if (intent.owner && intent.repo) {
      const found = deps.integrations.find(intent.owner, intent.repo);
      return { ok: true, ref: found ?? { owner: intent.owner, repo: intent.repo }, integration: found };
    }
    const matches = intent.repo ? deps.integrations.findByRepoName(intent.repo) : deps.integrations.list();
    const [only] = matches;
    if (matches.length === 1 && only) return { ok: true, ref: only, integration: only };
    if (matches.length === 0) return { ok: false, reply: errorReply(repoNotFound(intent.repo), intent.lang) };
    const options = matches.slice(0, MAX_REPO_CHOICES).map((m) => ({ owner: m.owner, repo: m.repo }));
    const p = newPending(
      'choose_repo',
      { kind: 'choose_repo', intent, options: options.map(formatRepo) },
      actor,
      intent.lang,
    );
    return { ok: false, reply: { kind: 'choose_repo', lang: intent.lang, pendingId: p.id, options } };
  };

  const mayDeploy = (integration: Integration | null, actor: Actor): boolean => {
    if (!integration || integration.deployers.length === 0) return true;
    return (
      actor.user !== null &&
      (integration.deployers.includes(actor.user) || deps.approvers.includes(actor.user))
    );
  };

  async function act(
    intent: Intent,
    actor: Actor,
    text: string,
    ctx: ConversationState | null = null,
  ): Promise<BotReply> {
    const lang = intent.lang;
    switch (intent.intent) {
      case 'help':
        return { kind: 'help', lang, commit: await exampleCommit() };
      case 'cancel': {
        // "그거 취소해" / "cancel that": the confirmation waiting here first, saying which.
        const what = dropPending(ctx, actor, true);
        if (what) return { kind: 'canceled', lang, by: actor.user, what };
        if (!intent.repo && !ctx) throw nothingToCancel();
        break;
      }
      case 'unknown':
        return {
          kind: 'unknown',
          lang,
          reason: intent.reason ?? 'not_understood',
          suggestions: suggestionsFor(text, lang),
        };
      default:
        break;
    }
    if (intent.followUp && !ctx)
      return { kind: 'unknown', lang, reason: 'not_understood', suggestions: suggestionsFor(text, lang) };
    const resolved = resolveRepo(intent, actor);
    if (!resolved.ok) return resolved.reply;
    const { owner, repo } = resolved.ref;
    const known = resolved.integration;
    switch (intent.intent) {
      case 'cancel':
      case 'audit':
      case 'lock':
      case 'unlock':
        return repoActs(intent, actor, text, resolved.ref, known, mayDeploy(known, actor));
      case 'diagnose':
        return { kind: 'diagnose', lang, report: await deps.services.diagnose(owner, repo, known) };
      case 'candidates':
        return {
          kind: 'candidates',
          lang,
          list: await deps.services.candidates(owner, repo, undefined, known),
        };
      case 'history':
        return {
          kind: 'history',
          lang,
          owner,
          repo,
          items: await deps.services.history(owner, repo, deps.historyLimit ?? 10, known),
        };
      case 'status':
        return {
          kind: 'status',
          lang,
          owner,
          repo,
          deployment: await deps.services.status(owner, repo, known),
          running: deps.deployments.current(owner, repo),
          lock: deps.services.activeLock(owner, repo),
          pin: deps.services.activePin?.(owner, repo) ?? null,
        };
      case 'rollback': {
        if (!mayDeploy(known, actor)) throw notADeployer(formatRepo(resolved.ref));
        const overridesLock = deps.services.checkLock(owner, repo, { force: intent.force, mayForce: true });
        const { selector, reasoning } = await rollbackSelector(intent, owner, repo, known, ctx);
        const planned = await deps.services.planRollback(owner, repo, selector, known);
        const plan = reasoning ? { ...planned, reasoning } : planned;
        const p = newPending(
          'rollback',
          { kind: 'rollback', owner, repo, selector, targetSha: plan.target.commitSha, force: intent.force },
          actor,
          lang,
        );
        return {
          kind: 'confirm_rollback',
          lang,
          pendingId: p.id,
          plan,
          requestedBy: actor.user,
          expiresAt: p.expiresAt,
          overridesLock,
        };
      }
      case 'deploy': {
        if (!mayDeploy(known, actor)) throw notADeployer(formatRepo(resolved.ref));
        const overridesLock = deps.services.checkLock(owner, repo, { force: intent.force, mayForce: true });
        // `force` also passes a pin after a rollback (planDeploy checks it; the record keeps it).
        const selector = intent.commitSha
          ? { commitSha: intent.commitSha, force: intent.force }
          : { ref: intent.ref, force: intent.force };
        const plan = await deps.services.planDeploy(owner, repo, selector, known);
        const p = newPending(
          'deploy',
          { kind: 'deploy', owner, repo, selector, commitSha: plan.commitSha, force: intent.force },
          actor,
          lang,
        );
        return {
          kind: 'confirm_deploy',
          lang,
          pendingId: p.id,
          plan,
          requestedBy: actor.user,
          expiresAt: p.expiresAt,
          overridesLock,
        };
      }
    }
  }

  /**
   * The answer for a confirmation someone already decided: the same outcome, never a second start. A press
   * that lost the race to a press still starting the work waits briefly for its deployment record.
   */
  async function alreadyDecided(first: PendingAction, lang: Lang): Promise<BotReply> {
    let p = deps.pending.get(first.id);
    for (let reads = 1; reads * SETTLE_RECHECK_MS <= SETTLE_WAIT_MS; reads++) {
      if (p?.state !== 'confirmed' || p.deploymentId !== null) break;
      const how = await settle.next(first.id, SETTLE_RECHECK_MS);
      p = deps.pending.get(first.id);
      // The winner was in this process and is done: what the database holds now is the final answer.
      if (how === 'settled') break;
    }
    if (!p) throw confirmationGone();
    if (p.state === 'canceled') return { kind: 'canceled', lang, by: p.decidedBy };
    const d =
      p.state === 'confirmed' && p.deploymentId !== null ? deps.deployments.get(p.deploymentId) : null;
    if (d) return { kind: 'started', lang, deployment: d, decidedBy: p.decidedBy };
    throw confirmationGone();
  }

  /** Runs the winning press's start; presses waiting on it here wake when it is done, whatever the outcome. */
  async function settling<T>(pendingId: string, start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } finally {
      settle.settled(pendingId);
    }
  }

  async function go(p: PendingAction, payload: PendingPayload, actor: Actor): Promise<BotReply> {
    const lang = p.lang;
    const requester = requesterOf(p, actor, lang);
    if (payload.kind === 'choose_repo') throw confirmationGone();
    // One read for the re-plan and the start.
    const known = deps.integrations.find(payload.owner, payload.repo);
    // A lock taken while the question waited still holds; a forced request passes and is recorded.
    const forced = deps.services.checkLock(payload.owner, payload.repo, {
      force: payload.force === true,
      mayForce: true,
    });
    if (forced)
      deps.audit.record({
        actor: actor.user,
        via: actor.via,
        text: `[force] ${payload.owner}/${payload.repo} past lock #${forced.id}`,
        intent: { lock: forced, pendingId: p.id },
        outcome: 'forced_past_lock',
      });
    if (payload.kind === 'rollback') {
      const plan = await deps.services.planRollback(payload.owner, payload.repo, payload.selector, known);
      if (plan.target.commitSha !== payload.targetSha) {
        deps.pending.decide(p.id, 'canceled', actor.user, deps.clock.now());
        throw targetChanged(payload.owner, payload.repo, moved(payload.targetSha, plan.target.commitSha));
      }
      const won = deps.pending.decide(p.id, 'confirmed', actor.user, deps.clock.now());
      if (!won) return alreadyDecided(p, lang);
      const d = await settling(p.id, async () => {
        const started = await deps.services.executeRollback(plan, requester, p.id, known);
        deps.pending.attachDeployment(p.id, started.id);
        return started;
      });
      return { kind: 'started', lang, deployment: d, decidedBy: actor.user };
    }
    if (payload.kind === 'deploy') {
      const plan = await deps.services.planDeploy(payload.owner, payload.repo, payload.selector, known);
      if (plan.commitSha !== payload.commitSha) {
        deps.pending.decide(p.id, 'canceled', actor.user, deps.clock.now());
        throw targetChanged(payload.owner, payload.repo, moved(payload.commitSha, plan.commitSha));
      }
      const won = deps.pending.decide(p.id, 'confirmed', actor.user, deps.clock.now());
      if (!won) return alreadyDecided(p, lang);
      const d = await settling(p.id, async () => {
        const started = await deps.services.executeDeploy(plan, requester, p.id, known);
        deps.pending.attachDeployment(p.id, started.id);
        return started;
      });
      return { kind: 'started', lang, deployment: d, decidedBy: actor.user };
    }
    throw confirmationGone();
  }

  function mayDecide(p: PendingAction, actor: Actor): boolean {
    if (p.requestedBy === null || p.requestedBy === actor.user) return true;
    return actor.user !== null && deps.approvers.includes(actor.user);
  }

  const repoActs = createRepoActs(deps);

  /** Candidate 1 of the first connected repo, so the help's "go back to a commit" example works as typed. */
  const exampleCommit = async (): Promise<string | null> => {
    const [first] = deps.integrations.list();
    if (!first) return null;
    try {
      const list = await deps.services.candidates(first.owner, first.repo, 1, first);
      return list.candidates[0]?.commitSha ?? null;
    } catch {
      return null;
    }
  };
  const follow = createFollowUps(deps, (id, decision, actor) => dispatcher.decide(id, decision, actor));
  const { rollbackSelector, dropPending, withConversation, answerTyped } = follow;

  const dispatcher: Dispatcher = {
    async handleMessage(msg) {
      const key = conversationKey(msg.actor);
      const ctx = loadConversation(deps.conversations, key);
      let intent: Intent | null = null;
      let reply: BotReply;
      let dropped: PendingSummary | null = null;
      try {
        const answer = ctx ? bareAnswer(msg.text) : null;
        if (ctx && answer) reply = await answerTyped(ctx, answer, msg.actor);
        else {
          intent = withConversation(
            await deps.parser.parse(msg.text, msg.hint ? { hint: msg.hint } : {}),
            ctx,
          );
          // A new request replaces the question waiting here, and says so; a cancel handles it itself.
          if (intent.intent !== 'unknown' && intent.intent !== 'help' && intent.intent !== 'cancel')
            dropped = dropPending(ctx, msg.actor);
          reply = await act(intent, msg.actor, msg.text, ctx);
        }
      } catch (err) {
        reply = errorReply(err, intent?.lang ?? ctx?.lang ?? detectLang(msg.text));
      }
      if (dropped) reply = { ...reply, dropped };
      if (key) {
        try {
          const next = nextState(ctx, reply, reply.lang, dropped ? msg.text : null);
          if (next) deps.conversations.put(key, next, deps.clock.now());
        } catch (err) {
          log.error({ err }, 'conversation write failed');
        }
      }
      audit(msg.actor, msg.text, intent, reply);
      return reply;
    },

    async decide(pendingId, decision, actor) {
      const p = deps.pending.get(pendingId);
      const lang = p?.lang ?? 'en';
      let reply: BotReply;
      try {
        if (!p || p.kind === 'choose_repo') throw confirmationGone();
        if (!mayDecide(p, actor)) throw notYourConfirmation(p.requestedBy);
        if (p.state !== 'pending') reply = await alreadyDecided(p, lang);
        else if (p.expiresAt.getTime() <= deps.clock.now().getTime()) throw confirmationGone();
        else if (decision === 'cancel') {
          const done = deps.pending.decide(p.id, 'canceled', actor.user, deps.clock.now());
          reply = done ? { kind: 'canceled', lang, by: actor.user } : await alreadyDecided(p, lang);
        } else reply = await go(p, pendingPayloadSchema.parse(p.payload), actor);
      } catch (err) {
        reply = errorReply(err, lang);
      }
      audit(
        actor,
        `[${decision}] ${pendingId}`,
        p?.payload ?? null,
        reply,
        reply.kind === 'started' ? reply.deployment.id : undefined,
      );
      return reply;
    },

    async chooseRepo(pendingId, choice, actor) {
      const p = deps.pending.get(pendingId);
      const lang = p?.lang ?? 'en';
      let reply: BotReply;
      try {
        if (p?.kind !== 'choose_repo') throw confirmationGone();
        if (!mayDecide(p, actor)) throw notYourConfirmation(p.requestedBy);
        const payload = pendingPayloadSchema.parse(p.payload);
        if (payload.kind !== 'choose_repo' || !payload.options.includes(formatRepo(choice)))
          throw confirmationGone();
        if (!deps.pending.decide(p.id, 'confirmed', actor.user, deps.clock.now())) throw confirmationGone();
        const actorInThread: Actor = {
          ...actor,
          channel: p.slackChannel ?? actor.channel,
          threadTs: p.slackThreadTs ?? actor.threadTs,
        };
        reply = await act({ ...payload.intent, owner: choice.owner, repo: choice.repo }, actorInThread, '');
      } catch (err) {
        reply = errorReply(err, lang);
      }
      audit(actor, `[choose] ${formatRepo(choice)}`, p?.payload ?? null, reply);
      return reply;
    },
  };
  return dispatcher;
}

const moved = (before: string, now: string) => {
  const text = `${shortSha(before)} → ${shortSha(now)}`;
  return { en: text, ko: text };
};
