import { describe, expect, it } from 'vitest';
import { esc } from '../../../src/slack/blocks/kit.ts';
import { truncate, truncateMrkdwn } from '../../../src/slack/blocks/limits.ts';

describe('truncation counts UTF-16 units and never cuts what Slack parses', () => {
  it('counts emoji as Slack does (two units each) and never splits one', () => {
    const emoji = '🚀'.repeat(3000);
    const cut = truncate(emoji, 3000);
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(cut.endsWith('🚀…')).toBe(true);
    expect(truncate('가나다', 3)).toBe('가나다');
    expect(truncate('👩‍👩‍👧 family', 9)).toBe('👩‍👩‍👧…');
  });

  it('backs off to before an entity, a mention or link, and an open code span or block', () => {
    expect(truncateMrkdwn('abc &amp; def', 8)).toBe('abc…');
    expect(truncateMrkdwn('hi <@U123> there', 8)).toBe('hi…');
    expect(truncateMrkdwn('see `some code` ok', 12)).toBe('see…');
    expect(truncateMrkdwn('x ```block\nmore``` y', 12)).toBe('x…');
    for (let max = 2; max < 40; max++) {
      const t = truncateMrkdwn('a &lt;b&gt; <@U1> `c` ```d``` &amp; e', max);
      expect(t.length).toBeLessThanOrEqual(max);
      expect(t).not.toMatch(/&[a-z]*…|<[^>]*…/);
      expect((t.split('`').length - 1) % 2).toBe(0);
    }
  });

  it('cuts text from outside while still raw, so the escaped form never ends in half an entity', () => {
    const raw = '&'.repeat(400);
    const out = esc(raw, 10);
    expect(out).toBe(`${'&amp;'.repeat(9)}…`);
  });
});
