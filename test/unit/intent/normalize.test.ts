import { describe, expect, it } from 'vitest';
import { normalizeMessage } from '../../../src/intent/normalize.ts';

describe('normalizeMessage', () => {
  it('removes user, channel and special mentions', () => {
    expect(normalizeMessage('<@U123ABC> <#C1|deploys> <!here> rollback test01')).toBe('rollback test01');
    expect(normalizeMessage('<@U1|kim> 롤백')).toBe('롤백');
  });

  it('turns links into their label, or the URL when there is none', () => {
    expect(normalizeMessage('<https://github.com/o/r|o/r> 배포')).toBe('o/r 배포');
    expect(normalizeMessage('deploy <https://github.com/K-Le-PaaS/test01>')).toBe(
      'deploy https://github.com/K-Le-PaaS/test01',
    );
    expect(normalizeMessage('<mailto:a@b.c>')).toBe('a@b.c');
  });

  it('unescapes Slack entities once, without double decoding', () => {
    expect(normalizeMessage('a &lt;b&gt; &amp; c')).toBe('a <b> & c');
    expect(normalizeMessage('&amp;lt;')).toBe('&lt;');
  });

  it('applies NFKC so full-width letters and digits become ASCII', () => {
    expect(normalizeMessage('ｔｅｓｔ０１　롤백')).toBe('test01 롤백');
  });

  it('drops emoji, shortcodes, zero-width and control characters', () => {
    expect(normalizeMessage('🚀 deploy 👍🏽 test01 :rocket: 👨‍👩‍👧 🇰🇷')).toBe('deploy test01');
    expect(normalizeMessage('roll\u200bback\u0007 now\u202e')).toBe('rollback now');
    expect(normalizeMessage('1️⃣')).toBe('1');
  });

  it('collapses whitespace and trims', () => {
    expect(normalizeMessage('  roll \n\t back   test01  ')).toBe('roll back test01');
    expect(normalizeMessage('')).toBe('');
    expect(normalizeMessage(' \u3000 \u00a0 ')).toBe('');
  });
});
