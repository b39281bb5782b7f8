import { describe, expect, it } from 'vitest';
import { channelAllowed, isDmChannel, renderWrongChannel } from '../../../src/slack/blocks/where.ts';

describe('ALLOWED_CHANNELS', () => {
  it('allows listed channels and DMs, refuses the rest; an empty list allows every channel', () => {
    expect(channelAllowed(['C1', 'C2'], 'C2', false)).toBe(true);
    expect(channelAllowed(['C1'], 'C9', false)).toBe(false);
    expect(channelAllowed(['C1'], null, false)).toBe(false);
    expect(channelAllowed(['C1'], 'D9', true)).toBe(true);
    expect(channelAllowed([], 'C9', false)).toBe(true);
    expect(isDmChannel('D123')).toBe(true);
    expect(isDmChannel('C123')).toBe(false);
    expect(isDmChannel(null)).toBe(false);
  });

  it('tells where the bot works, in the language of the request', () => {
    expect(renderWrongChannel(['C1', 'C2'], 'en').text).toContain('Ask me in <#C1>, <#C2> or in a DM');
    expect(renderWrongChannel(['C1'], 'ko').text).toContain('<#C1> 채널이나 DM으로');
  });
});
