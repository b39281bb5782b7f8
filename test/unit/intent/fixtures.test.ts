import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { intentSchema } from '../../../src/domain/intent.ts';
import { parseWithGrammar } from '../../../src/intent/grammar.ts';

const fixtureSchema = z
  .object({ text: z.string(), expect: intentSchema.omit({ source: true }).strict() })
  .strict();
type Fixture = z.infer<typeof fixtureSchema>;

const load = (name: string): Fixture[] =>
  readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => fixtureSchema.parse(JSON.parse(line)));
const fixtures = load('intents.jsonl');
// Phrasings for the cancel / lock / audit / question / target / follow-up contract, written before the
// grammar was taught them; kept apart so the original set's agreement stays comparable.
const heldOut = load('intents-heldout-11.jsonl');

const keys = Object.keys(intentSchema.shape).filter((k) => k !== 'source') as Array<keyof Fixture['expect']>;

describe('grammar over fixtures/intents.jsonl', () => {
  it('has at least 280 labelled messages, each label internally consistent', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(280);
    for (const { text, expect: e } of fixtures) {
      if (e.intent === 'unknown') expect(e.reason, text).not.toBeNull();
      else expect(e.reason, text).toBeNull();
      if (e.intent === 'rollback') {
        const named = [e.commitSha, e.stepsBack, e.target, e.followUp].filter((v) => v !== null);
        expect(named, text).toHaveLength(1);
      }
    }
  });

  it('agrees exactly with at least 98 % of the labels, and every answer is schema-valid', () => {
    expect(agreement(fixtures, 'intents.jsonl')).toBeGreaterThanOrEqual(0.98);
  });

  it('agrees with at least 95 % of the held-out phrasings of the new contract', () => {
    expect(agreement(heldOut, 'intents-heldout-11.jsonl')).toBeGreaterThanOrEqual(0.95);
  });

  it('never reads a question as an action', () => {
    for (const { text, expect: e } of [...fixtures, ...heldOut]) {
      if (!/[?？]\s*$/.test(text) || e.intent !== 'audit') continue;
      expect(['rollback', 'deploy', 'cancel', 'lock', 'unlock'], text).not.toContain(
        parseWithGrammar(text).intent,
      );
    }
  });
});

function agreement(set: readonly Fixture[], name: string): number {
  {
    const misses: string[] = [];
    for (const { text, expect: want } of set) {
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
    const share = (set.length - misses.length) / set.length;
    if (misses.length > 0) console.log(`${name}: ${misses.length} misses:\n${misses.join('\n')}`);
    console.log(`grammar agreement on ${name}: ${(share * 100).toFixed(1)} % of ${set.length}`);
    return share;
  }
}
