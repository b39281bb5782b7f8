import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { intentSchema } from '../../../src/domain/intent.ts';
import { parseWithGrammar } from '../../../src/intent/grammar.ts';

const fixtureSchema = z
  .object({ text: z.string(), expect: intentSchema.omit({ source: true }).strict() })
  .strict();
type Fixture = z.infer<typeof fixtureSchema>;

const fixtures: Fixture[] = readFileSync(new URL('../../../fixtures/intents.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => fixtureSchema.parse(JSON.parse(line)));

const keys = Object.keys(intentSchema.shape).filter((k) => k !== 'source') as Array<keyof Fixture['expect']>;

describe('grammar over fixtures/intents.jsonl', () => {
  it('has at least 280 labelled messages, each label internally consistent', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(280);
    for (const { text, expect: e } of fixtures) {
      if (e.intent === 'unknown') expect(e.reason, text).not.toBeNull();
      else expect(e.reason, text).toBeNull();
      if (e.intent === 'rollback') expect((e.commitSha === null) !== (e.stepsBack === null), text).toBe(true);
    }
  });

  it('agrees exactly with at least 98 % of the labels, and every answer is schema-valid', () => {
    const misses: string[] = [];
    for (const { text, expect: want } of fixtures) {
      const got = parseWithGrammar(text);
      expect(intentSchema.safeParse(got).success, text).toBe(true);
      expect(got.source).toBe('grammar');
      const wrong = keys.filter((k) => got[k] !== want[k]);
      if (wrong.length > 0) {
        const pick = (o: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, o[k]]));
        misses.push(
          `text: ${JSON.stringify(text)}\n  expected: ${JSON.stringify(pick(want))}\n  got:      ${JSON.stringify(pick(got))}`,
        );
      }
    }
    const agreement = (fixtures.length - misses.length) / fixtures.length;
    if (misses.length > 0) console.log(`${misses.length} misses:\n${misses.join('\n')}`);
    console.log(`grammar agreement: ${(agreement * 100).toFixed(1)} % of ${fixtures.length}`);
    expect(agreement).toBeGreaterThanOrEqual(0.98);
  });
});
