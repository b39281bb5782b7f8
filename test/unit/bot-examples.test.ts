import { describe, expect, it } from 'vitest';
import { examples, suggestionsFor } from '../../src/bot/examples.ts';
import { parseWithGrammar } from '../../src/intent/grammar.ts';

describe('help examples', () => {
  it('every example parses to the intent it illustrates, in both languages', () => {
    for (const e of examples) {
      expect(parseWithGrammar(e.text.ko).intent, e.text.ko).toBe(e.intent);
      expect(parseWithGrammar(e.text.en).intent, e.text.en).toBe(e.intent);
    }
  });

  it('suggests the closest commands first, one per verb, in the asked language', () => {
    expect(suggestionsFor('test01 배포 이럭 보여줘', 'ko')[0]).toBe('test01 배포 이력');
    expect(suggestionsFor('what versions can I go back to for test01', 'en')).toHaveLength(3);
    const s = suggestionsFor('stauts of test01 plz', 'en');
    expect(s[0]).toBe('status of test01');
    expect(new Set(s).size).toBe(s.length);
  });
});
