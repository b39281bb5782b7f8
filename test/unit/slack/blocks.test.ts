import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BotReply } from '../../../src/bot/types.ts';
import { personRef } from '../../../src/domain/people.ts';
import type { Candidate } from '../../../src/domain/reports.ts';
import {
  formatTime,
  noticeBroadcasts,
  renderDecided,
  renderNotice,
  renderReply,
  type SlackMessage,
  slackLimits,
  withDecision,
} from '../../../src/slack/blocks/index.ts';
import { sampleCandidates, sampleDeployment, samplePlan, sampleReplies } from '../../support/bot-replies.ts';

const now = new Date('2025-10-19T12:00:00Z');
const ctx = { now, timeZone: 'Asia/Seoul' };
const hangul = /[\uac00-\ud7a3]/;

interface AnyBlock {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: {
    type: string;
    text: string | { text: string };
    value?: string;
    action_id?: string;
    style?: string;
    confirm?: unknown;
  }[];
  accessory?: { text: { text: string }; value: string; action_id: string };
}
const blocks = (m: SlackMessage) => m.blocks as unknown as AnyBlock[];
const buttons = (m: SlackMessage) =>
  blocks(m).flatMap((b) => [
    ...(b.type === 'actions' ? (b.elements ?? []) : []),
    ...(b.accessory ? [b.accessory] : []),
  ]) as { text: { text: string }; value: string; action_id: string; style?: string; confirm?: unknown }[];
const allText = (m: SlackMessage) => JSON.stringify(m.blocks);

function expectWithinLimits(m: SlackMessage): void {
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(slackLimits.fallbackText);
  expect(m.blocks.length).toBeLessThanOrEqual(slackLimits.blocksPerMessage);
  for (const b of blocks(m)) {
    if (b.type === 'section' && b.text)
      expect(Array.from(b.text.text).length).toBeLessThanOrEqual(slackLimits.sectionText);
    if (b.type === 'header' && b.text)
      expect(Array.from(b.text.text).length).toBeLessThanOrEqual(slackLimits.headerText);
    for (const f of b.fields ?? [])
      expect(Array.from(f.text).length).toBeLessThanOrEqual(slackLimits.fieldText);
  }
  const ids = new Set<string>();
  for (const btn of buttons(m)) {
    expect(Array.from(btn.text.text).length).toBeLessThanOrEqual(slackLimits.buttonText);
    expect(btn.value.length).toBeLessThanOrEqual(slackLimits.buttonValue);
    expect(ids.has(btn.action_id)).toBe(false);
    ids.add(btn.action_id);
  }
}

describe('renderReply', () => {
  it.each(['ko', 'en'] as const)('renders every reply kind in %s within Slack limits', (lang) => {
    const replies = sampleReplies(now, lang);
    expect(new Set(replies.map((r) => r.kind)).size).toBe(16);
    for (const r of replies) {
      const m = renderReply(r, ctx);
      expectWithinLimits(m);
      // Words follow the person's language (sample data itself is ASCII).
      if (r.kind !== 'error')
        expect(hangul.test(allText(m) + m.text), `${r.kind} in ${lang}`).toBe(lang === 'ko');
    }
  });

  it('confirm_rollback names repo, running and target commits with message and age, steps and image', () => {
    const reply = sampleReplies(now, 'en').find((r) => r.kind === 'confirm_rollback') as BotReply;
    const m = renderReply(reply, ctx);
    const text = allText(m);
    expect(text).toContain('Roll back K-Le-PaaS/test01?');
    expect(text).toContain('`abc1234` feat: new checkout · 1h ago');
    expect(text).toContain('`c39eb54` fix: login redirect · 2d ago');
    expect(text).toContain('*Steps back*\\n1');
    expect(text).toContain('Image present in NCR');
    const [go, cancel] = buttons(m);
    expect(go).toMatchObject({ action_id: 'confirm_go', value: 'p-rb', style: 'primary' });
    expect(go?.confirm).toBeDefined();
    expect(cancel).toMatchObject({ action_id: 'confirm_cancel', value: 'p-rb' });
    expect(m.text).toContain('Roll K-Le-PaaS/test01 back to c39eb54 (1 back)');
  });

  it('confirm_rollback says when the image must be rebuilt, in Korean', () => {
    const m = renderReply(
      {
        kind: 'confirm_rollback',
        lang: 'ko',
        pendingId: 'p',
        plan: samplePlan(now, { imageExists: false, rebuild: true }),
        requestedBy: 'U1',
        expiresAt: new Date(now.getTime() + 600_000),
      },
      ctx,
    );
    expect(allText(m)).toContain('NCR에 이미지가 없어 먼저 다시 빌드합니다');
    expect(allText(m)).toContain('2025-10-19 21:10 KST까지');
    expect(m.text).toContain('이미지 재빌드 필요');
  });

  it('numbers candidates with the N a rollback takes, each with its own roll-back button', () => {
    const m = renderReply({ kind: 'candidates', lang: 'en', list: sampleCandidates(now, 3) }, ctx);
    const rows = blocks(m).filter((b) => b.accessory);
    expect(rows.map((b) => b.text?.text.split(' ')[0])).toEqual(['*1.*', '*2.*', '*3.*']);
    expect(buttons(m).map((b) => b.action_id)).toEqual(['rollback_to:1', 'rollback_to:2', 'rollback_to:3']);
    expect(JSON.parse(buttons(m)[0]?.value ?? '{}')).toEqual({
      o: 'K-Le-PaaS',
      r: 'test01',
      sha: sampleCandidates(now).candidates[0]?.commitSha,
    });
    expect(m.text).toContain('1. c39eb54 change 1');
  });

  it('a diagnose checklist shows the fix for each failed check', () => {
    const reply = sampleReplies(now, 'en').find((r) => r.kind === 'diagnose') as BotReply;
    const text = allText(renderReply(reply, ctx));
    expect(text).toContain(':x: *K-Le-PaaS/test01* cannot roll back yet');
    expect(text).toContain(':white_check_mark: Project integration found');
    expect(text).toContain(':x: Successful deployment history');
    expect(text).toContain(':bulb: Deploy the application first: /deploy test01 main');
  });

  it('help shows commands people can copy; unknown offers the closest commands', () => {
    expect(allText(renderReply({ kind: 'help', lang: 'en' }, ctx))).toContain(
      '`/rollback candidates test01`',
    );
    const unknown = renderReply(
      { kind: 'unknown', lang: 'ko', reason: 'missing_repo', suggestions: ['rollback test01'] },
      ctx,
    );
    expect(allText(unknown)).toContain('어느 저장소인지');
    expect(allText(unknown)).toContain('`rollback test01`');
  });

  it('escapes Slack markup typed by people so it cannot ping channels or forge links', () => {
    const m = renderReply(
      {
        kind: 'candidates',
        lang: 'en',
        list: {
          ...sampleCandidates(now, 1),
          candidates: [
            {
              ...(sampleCandidates(now, 1).candidates[0] as Candidate),
              commitMessage: '<!channel> & <http://x|y>',
            },
          ],
        },
      },
      ctx,
    );
    expect(allText(m)).toContain('&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    expect(allText(m)).not.toContain('<!channel>');
  });

  it('stays within limits whatever the data: long messages, many candidates', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 5000 }), fc.integer({ min: 0, max: 120 }), (msg, count) => {
        const list = sampleCandidates(now, count);
        const m = renderReply(
          {
            kind: 'candidates',
            lang: 'en',
            list: { ...list, candidates: list.candidates.map((c) => ({ ...c, commitMessage: msg })) },
          },
          ctx,
        );
        expectWithinLimits(m);
        const e = renderReply(
          { kind: 'error', lang: 'en', code: 'INTERNAL', message: msg || 'x', hint: msg },
          ctx,
        );
        expectWithinLimits(e);
      }),
      { numRuns: 60 },
    );
  });
});

describe('decisions and notices', () => {
  it('replaces the buttons and the "buttons work until" line with who did what and when, under fresh block ids', () => {
    const confirm = renderReply(sampleReplies(now, 'en')[4] as BotReply, ctx);
    expect(allText(confirm)).toContain('Buttons work until');
    // Slack hands the blocks back with ids of its own on the blocks we left without one.
    const asSent = (confirm.blocks as unknown as AnyBlock[]).map((b, i) => ({ block_id: `auto${i}`, ...b }));
    const after = withDecision(
      asSent,
      renderDecided({ lang: 'en', what: 'go', by: 'U2', at: now }, ctx),
      confirm.text,
      'press1',
    );
    expect(blocks(after).some((b) => b.type === 'actions')).toBe(false);
    expect(allText(after)).not.toContain('Buttons work until');
    expect(blocks(after).length).toBe(confirm.blocks.length - 1);
    expect(allText(after)).toContain('<@U2> went ahead at 2025-10-19 21:00 KST');
    const before = new Set(asSent.map((b) => (b as { block_id?: string }).block_id));
    const ids = (after.blocks as unknown as { block_id?: string }[]).map((b) => b.block_id);
    expect(ids.every((id) => typeof id === 'string' && !before.has(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const ko = renderDecided({ lang: 'ko', what: 'cancel', by: 'U2', at: now }, ctx);
    expect(JSON.stringify(ko)).toContain('<@U2> 님이 취소했어요 (2025-10-19 21:00 KST)');
  });

  it('frames the shared notice line: mention kept live, NCP text escaped, failures broadcast', () => {
    const d = sampleDeployment(now, {
      status: 'success',
      lang: 'ko',
      image: 'ncr.example/app',
      imageTag: 'v1',
    });
    const ok = renderNotice(
      {
        tone: 'success',
        deployment: d,
        line: `✅ done · 요청: ${personRef('U_ASKER')}`,
        elapsedMs: 45_000,
        at: now,
      },
      ctx,
    );
    expect(ok.text).toBe('✅ done · 요청: <@U_ASKER>');
    expect(allText(ok)).toContain('`c39eb54` fix: login redirect');
    expect(allText(ok)).toContain('`ncr.example/app:v1`');
    expect(noticeBroadcasts({ tone: 'success' })).toBe(false);

    const failed = renderNotice(
      {
        tone: 'failure',
        deployment: { ...d, status: 'failed', lang: 'en' },
        line: `❌ failed: exit <1> & more · asked by ${personRef('U_ASKER')} <@U_OTHER>`,
        elapsedMs: 90_000,
        at: now,
      },
      ctx,
    );
    expect(failed.text).toContain('exit &lt;1&gt; &amp; more · asked by <@U_ASKER> &lt;@U_OTHER&gt;');
    expect(allText(failed)).toContain('/rollback diagnose K-Le-PaaS/test01');
    expect(noticeBroadcasts({ tone: 'failure' })).toBe(true);

    const cli = renderNotice(
      {
        tone: 'progress',
        deployment: { ...d, status: 'deploying', lang: 'en', requestedVia: 'cli', requestedBy: 'alice' },
        line: '… deploying · asked by <@alice>',
        elapsedMs: 12_000,
        at: now,
      },
      ctx,
    );
    expect(cli.text).toContain('&lt;@alice&gt;');
    expect(allText(cli)).toContain('12s elapsed');
    expect(allText(cli)).toContain('#42');
  });

  it('shows times in the configured zone', () => {
    const at = new Date('2025-10-19T12:00:00Z');
    expect(formatTime(at, ctx)).toBe('2025-10-19 21:00 KST');
    expect(formatTime(at, { now, timeZone: 'UTC' })).toBe('2025-10-19 12:00 UTC');
  });
});

describe('deploy confirmation after a rollback', () => {
  it('says, before the press, that the deploy returns to the commit a rollback fled from', () => {
    const now = new Date('2025-10-19T12:00:00Z');
    for (const lang of ['ko', 'en'] as const) {
      const base = sampleReplies(now, lang).find((r) => r.kind === 'confirm_deploy');
      if (base?.kind !== 'confirm_deploy') throw new Error('no confirm_deploy sample');
      const plain = JSON.stringify(renderReply(base, { now, timeZone: 'Asia/Seoul' }).blocks);
      expect(plain).not.toMatch(/rollback #7|롤백 #7/);
      const reply = { ...base, plan: { ...base.plan, returnsFrom: { rollbackId: 7, rolledBackFromId: 5 } } };
      const text = JSON.stringify(renderReply(reply, { now, timeZone: 'Asia/Seoul' }).blocks);
      expect(text).toMatch(
        lang === 'ko' ? /롤백 #7.*배포 #5/ : /rollback #7 rolled back from \(deployment #5\)/,
      );
    }
  });
});
