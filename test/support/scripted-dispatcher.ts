import type { Actor, BotReply, ChatMessage, Dispatcher } from '../../src/bot/types.ts';
import type { RepoRef } from '../../src/domain/repo-ref.ts';
import { sampleCandidates, sampleDeployment, sampleDiagnose, samplePlan } from './bot-replies.ts';

export type DispatcherCall =
  | { readonly method: 'handleMessage'; readonly msg: ChatMessage }
  | {
      readonly method: 'decide';
      readonly pendingId: string;
      readonly decision: 'go' | 'cancel';
      readonly actor: Actor;
    }
  | {
      readonly method: 'chooseRepo';
      readonly pendingId: string;
      readonly repo: RepoRef;
      readonly actor: Actor;
    };

/**
 * A stand-in for the real dispatcher: answers by keyword so a test can reach every reply kind, records each
 * call, and, like the real one, lets only the first press of a pending confirmation start anything.
 */
export function scriptedDispatcher(clock: () => Date = () => new Date()) {
  const calls: DispatcherCall[] = [];
  const decided = new Set<string>();
  let pendingSeq = 0;

  const reply = (msg: ChatMessage): BotReply => {
    const text = msg.text.toLowerCase();
    const lang = /[\uac00-\ud7a3]/.test(msg.text) ? 'ko' : 'en';
    const now = clock();
    const expiresAt = new Date(now.getTime() + 600_000);
    if (text.includes('boom'))
      throw new Error('database is locked\n    at Object.<anonymous> (/srv/x.ts:1:1)');
    if (text.startsWith('help')) return { kind: 'help', lang };
    if (text.startsWith('candidates')) return { kind: 'candidates', lang, list: sampleCandidates(now) };
    if (text.startsWith('diagnose')) return { kind: 'diagnose', lang, report: sampleDiagnose(true) };
    if (text.startsWith('history'))
      return { kind: 'history', lang, owner: 'K-Le-PaaS', repo: 'test01', items: [] };
    if (text.startsWith('status'))
      return { kind: 'status', lang, owner: 'K-Le-PaaS', repo: 'test01', deployment: null };
    if (text.includes('ambiguous')) {
      return {
        kind: 'choose_repo',
        lang,
        pendingId: `choose-${++pendingSeq}`,
        options: [
          { owner: 'K-Le-PaaS', repo: 'test01' },
          { owner: 'other', repo: 'test01' },
        ],
      };
    }
    if (msg.hint === 'deploy') {
      return {
        kind: 'confirm_deploy',
        lang,
        pendingId: `dep-${++pendingSeq}`,
        plan: {
          owner: 'K-Le-PaaS',
          repo: 'test01',
          ref: 'main',
          commitSha: 'abc1234567890abc1234567890abc1234567890a',
          commitMessage: 'feat',
          current: null,
          imageRef: 'reg/img:abc1234',
        },
        requestedBy: msg.actor.user,
        expiresAt,
      };
    }
    if (msg.hint === 'rollback' || text.includes('rollback') || text.includes('롤백')) {
      return {
        kind: 'confirm_rollback',
        lang,
        pendingId: `rb-${++pendingSeq}`,
        plan: samplePlan(now),
        requestedBy: msg.actor.user,
        expiresAt,
      };
    }
    return { kind: 'unknown', lang, reason: 'not_understood', suggestions: ['rollback K-Le-PaaS/test01'] };
  };

  const dispatcher: Dispatcher = {
    async handleMessage(msg) {
      calls.push({ method: 'handleMessage', msg });
      return reply(msg);
    },
    async decide(pendingId, decision, actor) {
      calls.push({ method: 'decide', pendingId, decision, actor });
      const lang = 'en';
      if (decided.has(pendingId)) {
        return {
          kind: 'error',
          lang,
          code: 'CONFIRMATION_EXPIRED',
          message: 'This request was already decided.',
          hint: null,
        };
      }
      decided.add(pendingId);
      if (decision === 'cancel') return { kind: 'canceled', lang, by: actor.user };
      return {
        kind: 'started',
        lang,
        deployment: sampleDeployment(clock(), {
          lang,
          requestedBy: actor.user,
          slackChannel: actor.channel,
          slackThreadTs: actor.threadTs,
        }),
        decidedBy: actor.user,
      };
    },
    async chooseRepo(pendingId, repo, actor) {
      calls.push({ method: 'chooseRepo', pendingId, repo, actor });
      const now = clock();
      return {
        kind: 'confirm_rollback',
        lang: 'en',
        pendingId: `rb-${++pendingSeq}`,
        plan: samplePlan(now, { owner: repo.owner, repo: repo.repo }),
        requestedBy: actor.user,
        expiresAt: new Date(now.getTime() + 600_000),
      };
    },
  };
  return { dispatcher, calls };
}
