import { describe, expect, it } from 'vitest';
import { notYourConfirmation } from '../../../src/bot/errors.ts';
import type { BotReply } from '../../../src/bot/types.ts';
import type { Deployment } from '../../../src/domain/deployment.ts';
import type { Lang } from '../../../src/domain/intent.ts';
import { personRef } from '../../../src/domain/people.ts';
import { noticeKinds } from '../../../src/notify/port.ts';
import { renderNotice as renderLine } from '../../../src/notify/render.ts';
import {
  renderDecided,
  renderNotice,
  renderOutcomeReply,
  renderReply,
  type SlackMessage,
  slackLimits,
} from '../../../src/slack/blocks/index.ts';
import { renderVerifyAlert, renderVerifyCard } from '../../../src/slack/blocks/verify-card.ts';
import { dmNote, renderCannotPost, renderWrongChannel } from '../../../src/slack/blocks/where.ts';
import { failureReply } from '../../../src/slack/failure.ts';
import { sampleDeployment, sampleReplies } from '../../support/bot-replies.ts';

/**
 * Every kind of message the bot sends, fed what a repo, a commit, NCP or a person could put in it. For the
 * blocks and the top-level `text` alike: no live broadcast, mention or link survives, and every Slack limit
 * holds.
 */
const now = new Date('2025-10-19T12:00:00Z');
const ctx = { now, timeZone: 'Asia/Seoul' };

const markup =
  '<!channel> <!here> <@U1> <https://evil.example|click> & &amp; #general https://evil.example *b* `x` ```y ' +
  '\uE000@U666\uE001 \uE000#C666\uE001';
const hostile: Record<string, string> = {
  markup,
  longLine: `${markup} ${'a&<>`'.repeat(800)}`,
  emoji: '🚀'.repeat(3000),
  mixed: `${'😀&'.repeat(1500)}<!channel>`,
};

// Keys that carry text from outside; everything else (kinds, ids, statuses, dates) keeps its shape.
const outsideKeys = new Set([
  'owner',
  'repo',
  'ref',
  'commitMessage',
  'message',
  'hint',
  'imageRef',
  'image',
  'errorMessage',
  'suggestions',
  'issues',
  'warnings',
  'options',
  'lockedBy',
]);

// Owner and repo are checked against GitHub's name rules at the edge (at most 100 characters), so they get
// the hostile text cut to that size; it still carries the markup.
const nameKeys = new Set(['owner', 'repo', 'options']);
const asName = (bad: string): string => Array.from(bad).slice(0, 50).join('');

function poison<T>(value: T, bad: string, inside = false): T {
  if (typeof value === 'string') return (inside ? bad : value) as T;
  if (Array.isArray(value)) return value.map((v) => poison(v, bad, inside)) as T;
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      // A lock's reason is what a person typed; a reply's `reason` elsewhere is one of our codes.
      poison(
        v,
        nameKeys.has(k) ? asName(bad) : bad,
        inside || outsideKeys.has(k) || (k === 'reason' && 'lockedAt' in value),
      ),
    ]),
  ) as T;
}

// The only live references a message may carry: the people and channels the bot itself names.
const allowedRefs = new Set(['<@U_ASKER>', '<@U_OTHER>', '<#C_OPS>']);
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkMrkdwn(text: string, where: string): void {
  for (const ref of text.match(/<[^>]*>/g) ?? []) expect(allowedRefs.has(ref), `${where}: ${ref}`).toBe(true);
  expect(text, where).not.toMatch(/<!|<http|<@U1>|<@U666>|<#C666>/);
  expect(text.replace(/&(amp|lt|gt);/g, ''), `${where}: bare &`).not.toContain('&');
  expect(text, `${where}: reference marker`).not.toMatch(/[\uE000\uE001]/);
  expect(loneSurrogate.test(text), `${where}: split surrogate`).toBe(false);
  const fences = text.split('```').length - 1;
  const ticks = text.replaceAll('```', '').split('`').length - 1;
  expect(fences % 2, `${where}: open code block`).toBe(0);
  expect(ticks % 2, `${where}: open code span`).toBe(0);
}

interface TextObj {
  type: string;
  text: string;
  verbatim?: boolean;
}

function checkText(obj: TextObj, max: number, where: string): void {
  expect(obj.text.length, where).toBeGreaterThan(0);
  expect(obj.text.length, `${where}: ${obj.text.length} > ${max}`).toBeLessThanOrEqual(max);
  expect(loneSurrogate.test(obj.text), `${where}: split surrogate`).toBe(false);
  if (obj.type === 'mrkdwn') {
    // Untrusted text sits in every mrkdwn object: Slack must not auto-link what is in it.
    expect(obj.verbatim, `${where}: verbatim`).toBe(true);
    checkMrkdwn(obj.text, where);
  } else {
    expect(obj.type).toBe('plain_text');
    expect(obj.text, `${where}: reference marker`).not.toMatch(/[\uE000\uE001]/);
  }
}

interface Button {
  text: TextObj;
  action_id: string;
  value: string;
  confirm?: { title: TextObj; text: TextObj; confirm: TextObj; deny: TextObj };
}

function checkButton(b: Button, where: string): void {
  checkText(b.text, slackLimits.buttonText, `${where} button`);
  expect(b.text.type).toBe('plain_text');
  expect(b.value.length).toBeLessThanOrEqual(slackLimits.buttonValue);
  expect(b.action_id.length).toBeLessThanOrEqual(slackLimits.actionId);
  if (b.confirm) {
    checkText(b.confirm.title, slackLimits.confirmTitle, `${where} dialog title`);
    // Slack defines the dialog text as plain_text of at most 300 characters.
    expect(b.confirm.text.type, `${where} dialog text`).toBe('plain_text');
    checkText(b.confirm.text, slackLimits.confirmText, `${where} dialog text`);
    checkText(b.confirm.confirm, slackLimits.confirmButton, `${where} dialog confirm`);
    checkText(b.confirm.deny, slackLimits.confirmButton, `${where} dialog deny`);
  }
}

function checkMessage(m: SlackMessage, where: string): void {
  expect(m.text.length, `${where} text`).toBeGreaterThan(0);
  expect(m.text.length, `${where} text`).toBeLessThanOrEqual(slackLimits.fallbackText);
  checkMrkdwn(m.text, `${where} text`);
  expect(m.blocks.length).toBeLessThanOrEqual(slackLimits.blocksPerMessage);
  const ids = new Set<string>();
  for (const [i, raw] of m.blocks.entries()) {
    const b = raw as unknown as {
      type: string;
      block_id?: string;
      text?: TextObj;
      fields?: TextObj[];
      elements?: (TextObj | Button)[];
      accessory?: Button;
    };
    const at = `${where} block ${i} (${b.type})`;
    if (b.block_id) expect(b.block_id.length).toBeLessThanOrEqual(slackLimits.blockId);
    if (b.type === 'header' && b.text) {
      expect(b.text.type).toBe('plain_text');
      checkText(b.text, slackLimits.headerText, at);
    }
    if (b.type === 'section') {
      if (b.text) checkText(b.text, slackLimits.sectionText, at);
      expect((b.fields ?? []).length).toBeLessThanOrEqual(slackLimits.sectionFields);
      for (const f of b.fields ?? []) checkText(f, slackLimits.fieldText, `${at} field`);
      if (b.accessory) checkButton(b.accessory, at);
    }
    if (b.type === 'context') {
      expect((b.elements ?? []).length).toBeLessThanOrEqual(slackLimits.contextElements);
      for (const e of b.elements ?? []) checkText(e as TextObj, slackLimits.contextText, `${at} element`);
    }
    if (b.type === 'actions') {
      expect((b.elements ?? []).length).toBeLessThanOrEqual(slackLimits.actionsElements);
      for (const e of b.elements ?? []) {
        const btn = e as Button;
        expect(ids.has(btn.action_id)).toBe(false);
        ids.add(btn.action_id);
        checkButton(btn, at);
      }
    }
  }
}

const langs: readonly Lang[] = ['ko', 'en'];

// A new reply kind fails to compile here until it is listed, and then this test until it is sampled.
const everyReplyKind: Record<BotReply['kind'], true> = {
  help: true,
  unknown: true,
  error: true,
  choose_repo: true,
  confirm_rollback: true,
  confirm_deploy: true,
  started: true,
  canceled: true,
  cancel_running: true,
  audit: true,
  locked: true,
  unlocked: true,
  diagnose: true,
  candidates: true,
  history: true,
  status: true,
};

describe('every message kind with hostile text from outside', () => {
  for (const [name, bad] of Object.entries(hostile)) {
    it.each(langs)(`replies (${name}, %s)`, (lang) => {
      const replies = sampleReplies(now, lang).map((r) => poison(r, bad));
      expect(new Set(replies.map((r) => r.kind))).toEqual(new Set(Object.keys(everyReplyKind)));
      for (const r of replies) checkMessage(renderReply(r, ctx), `${r.kind}`);
    });

    it.each(langs)(`notices and their outcome replies (${name}, %s)`, (lang) => {
      const d: Deployment = poison(
        sampleDeployment(now, { lang, errorStage: 'deploy', imageTag: 'v1', ref: 'main' }),
        bad,
      );
      for (const kind of noticeKinds) {
        const n = {
          deployment: { ...d, status: kind === 'succeeded' ? ('success' as const) : d.status },
          previousStatus: 'deploying' as const,
          status: d.status,
          ncpStatus: bad,
          phase: 'deploy' as const,
          failedPhase: bad,
          elapsedMs: 12_000,
          limitMs: 600_000,
          at: now,
        };
        const tone =
          kind === 'succeeded'
            ? 'success'
            : kind === 'failed' || kind === 'timedOut'
              ? 'failure'
              : kind === 'canceled'
                ? 'ended'
                : 'progress';
        for (const requester of [true, false]) {
          const line = renderLine(kind, n, { who: personRef, requester });
          const msg = renderNotice(
            { tone, deployment: n.deployment, line: line.text, elapsedMs: 12_000, at: now },
            ctx,
          );
          checkMessage(msg, `${kind} notice`);
          const reply = renderOutcomeReply({
            tone,
            deployment: n.deployment,
            line: line.text,
            headline: line.headline,
            elapsedMs: 12_000,
            at: now,
          });
          checkMessage(reply, `${kind} outcome reply`);
          // The requester is mentioned once, and only as the bot wrote it.
          expect(reply.text.match(/<@U_ASKER>/g)).toHaveLength(1);
        }
      }
    });

    it.each(langs)(`verification cards and alerts (${name}, %s)`, (lang) => {
      for (const status of ['verifying', 'verified', 'verification_failed'] as const) {
        for (const operation of ['deploy', 'rollback'] as const) {
          const d = sampleDeployment(now, {
            lang,
            operation,
            status: 'success',
            verifyStatus: status,
            // What an app answers is outside text: a status word, an HTTP client's error.
            verification: {
              status,
              startedAt: now.toISOString(),
              endedAt: null,
              windowMs: 300_000,
              elapsedMs: 60_000,
              checks: 3,
              healthStatus: null,
              healthProblem: bad,
              metrics: 'unavailable',
              metricsProblem: bad,
              requests: null,
              errorShare: null,
              p95Ms: null,
              maxErrorShare: 0.05,
              maxP95Ms: 30_000,
              failed: { check: 'health', detail: bad, failures: 3 },
              autoRollbackId: null,
              rollbackTargetSha: 'abc1234567890abc1234567890abc1234567890a',
            },
          });
          checkMessage(renderVerifyCard(d), `verify card ${status} ${operation}`);
          const alert = renderVerifyAlert(d);
          checkMessage(alert, `verify alert ${status} ${operation}`);
          expect(JSON.stringify(alert.blocks).match(/<@U_ASKER>/g)).toHaveLength(1);
        }
      }
    });

    it.each(langs)(`decisions, refusals and notes (${name}, %s)`, (lang) => {
      for (const what of ['go', 'cancel', 'choose', 'closed'] as const) {
        const block = renderDecided({ lang, what, by: 'U_ASKER', at: now, detail: bad }, ctx);
        checkMessage({ blocks: [block], text: 'x' }, `decided ${what}`);
      }
      const refusal = failureReply(notYourConfirmation('U_ASKER'), lang);
      checkMessage(renderReply(refusal as BotReply, ctx), 'not yours');
      checkMessage(renderReply({ ...refusal, message: `${refusal.message} ${bad}` }, ctx), 'error');
      checkMessage(renderWrongChannel(['C_OPS'], lang), 'wrong channel');
      checkMessage(renderCannotPost('C_OPS', lang), 'cannot post');
      checkMessage(dmNote('ratelimited', 'C_OPS', lang), 'dm note');
    });
  }
});

describe('people the bot names', () => {
  it('the "not your confirmation" refusal shows the requester as a live mention, in blocks and text', () => {
    for (const lang of langs) {
      const m = renderReply(failureReply(notYourConfirmation('U_ASKER'), lang) as BotReply, ctx);
      expect(m.text).toContain('<@U_ASKER>');
      expect(JSON.stringify(m.blocks)).toContain('<@U_ASKER>');
      expect(JSON.stringify(m)).not.toContain('&lt;@U_ASKER');
    }
  });

  it('a commit message that types the requester\u2019s mention does not make a second one', () => {
    const d = sampleDeployment(now, { lang: 'en', commitMessage: '<@U_ASKER> <!channel>' });
    const n = {
      deployment: { ...d, status: 'success' as const },
      previousStatus: 'deploying' as const,
      status: 'success' as const,
      ncpStatus: 'success',
      phase: 'deploy' as const,
      failedPhase: null,
      elapsedMs: 1000,
      limitMs: null,
      at: now,
    };
    const line = renderLine('succeeded', n, { who: personRef });
    const m = renderNotice(
      { tone: 'success', deployment: n.deployment, line: line.text, elapsedMs: 1000, at: now },
      ctx,
    );
    expect(`${m.text}${JSON.stringify(m.blocks)}`.match(/<@U_ASKER>/g)).toHaveLength(2);
    expect(JSON.stringify(m.blocks)).toContain('&lt;@U_ASKER&gt; &lt;!channel&gt;');
  });
});
