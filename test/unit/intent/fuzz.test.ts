import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intentSchema } from '../../../src/domain/intent.ts';
import { parseWithGrammar } from '../../../src/intent/grammar.ts';
import { normalizeMessage } from '../../../src/intent/normalize.ts';

const fragments = [
  '롤백',
  'rollback',
  'deploy',
  '배포',
  'test01',
  'K-Le-PaaS/test01',
  'c39eb54',
  '<@U123>',
  '<https://github.com/o/r|o/r>',
  '<#C1|ops>',
  '&lt;',
  '&amp;',
  '`',
  '~2',
  'HEAD~',
  '두 단계',
  '하지 마',
  ' and ',
  '하고',
  '🚀',
  '\u200d',
  '\u0000',
  '\ud800',
  '\n',
  'ＴＥＳＴ',
  '가능해?',
  '-1',
  '/',
  '<',
  '>',
];

const markup = fc
  .array(fc.oneof(fc.constantFrom(...fragments), fc.string({ unit: 'grapheme', maxLength: 8 })), {
    maxLength: 40,
  })
  .map((parts) => parts.join(' '));
const controls = fc.string({ unit: fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)) });

function assertValid(text: string): void {
  const got = parseWithGrammar(text);
  expect(intentSchema.safeParse(got).success).toBe(true);
  expect(got.source).toBe('grammar');
  if (got.intent === 'unknown') expect(got.reason).not.toBeNull();
  if (got.intent === 'rollback') expect((got.commitSha === null) !== (got.stepsBack === null)).toBe(true);
}

describe('grammar fuzzing', () => {
  it('never throws and always returns a schema-valid intent for arbitrary Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertValid(s)),
      {
        numRuns: 2000,
      },
    );
  });
  it('handles control characters and mixed Slack markup', () => {
    fc.assert(
      fc.property(controls, (s) => assertValid(s)),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(markup, (s) => assertValid(s)),
      { numRuns: 2000 },
    );
  });
  it('normalizeMessage leaves no control characters, no runs of spaces and no edges', () => {
    fc.assert(
      fc.property(fc.oneof(markup, fc.string({ unit: 'binary', maxLength: 200 })), (s) => {
        const out = normalizeMessage(s);
        expect(out).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}]/u);
        expect(out).not.toMatch(/\s\s/);
        expect(out).toBe(out.trim());
      }),
      { numRuns: 1000 },
    );
  });
  it('parses 100 KB inputs quickly', () => {
    const inputs = [
      `${'롤백 test01 '.repeat(10_000)}`.slice(0, 100_000),
      '<'.repeat(100_000),
      `${'a'.repeat(99_990)} rollback`,
      'c39eb54 '.repeat(12_500),
      '\u0000🚀&amp;<@U1>'.repeat(6_000),
    ];
    for (const input of inputs) {
      const started = performance.now();
      assertValid(input);
      // Generous bound: the work is capped, so this holds on a slow CI machine too.
      expect(performance.now() - started).toBeLessThan(50);
    }
  });
});
