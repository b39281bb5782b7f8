import { describe, expect, it } from 'vitest';
import { intentSchema } from '../../../src/domain/intent.ts';
import { parseWithGrammar } from '../../../src/intent/grammar.ts';

describe('parseWithGrammar with a slash-command hint', () => {
  it('uses the hint when the text names no verb', () => {
    expect(parseWithGrammar('test01 3', { hint: 'rollback' })).toMatchObject({
      intent: 'rollback',
      repo: 'test01',
      stepsBack: 3,
    });
    expect(parseWithGrammar('test01 main', { hint: 'deploy' })).toMatchObject({
      intent: 'deploy',
      repo: 'test01',
      ref: 'main',
    });
    expect(parseWithGrammar('K-Le-PaaS/test01 qa', { hint: 'deploy' })).toMatchObject({
      owner: 'K-Le-PaaS',
      repo: 'test01',
      ref: 'qa',
    });
    expect(parseWithGrammar('payments', { hint: 'history' })).toMatchObject({
      intent: 'history',
      repo: 'payments',
    });
  });
  it('gives the hinted intent with empty slots for an empty command', () => {
    expect(parseWithGrammar('', { hint: 'rollback' })).toMatchObject({
      intent: 'rollback',
      stepsBack: 1,
      repo: null,
    });
    expect(parseWithGrammar('', { hint: 'help' }).intent).toBe('help');
  });
  it('lets words in the text override the hint, including negations and bad counts', () => {
    expect(parseWithGrammar('test01 롤백 가능해?', { hint: 'rollback' }).intent).toBe('diagnose');
    expect(parseWithGrammar('test01 0', { hint: 'rollback' }).reason).toBe('invalid_steps');
    expect(parseWithGrammar('never mind', { hint: 'deploy' }).reason).toBe('negation');
  });
  it('ignores an unknown hint', () => {
    expect(parseWithGrammar('test01', { hint: 'unknown' })).toMatchObject({
      intent: 'unknown',
      reason: 'not_understood',
    });
  });
});

describe('parseWithGrammar bounds', () => {
  it('does not take a long pasted text for a command', () => {
    const log = `${'ERROR connection refused '.repeat(40)} rollback test01`;
    expect(parseWithGrammar(log)).toMatchObject({ intent: 'unknown', reason: 'not_understood' });
  });
  it('returns a valid intent for non-string input at runtime', () => {
    const got = parseWithGrammar(undefined as unknown as string);
    expect(intentSchema.parse(got)).toMatchObject({ intent: 'unknown', reason: 'empty' });
  });
});

describe('rollback targets the grammar cannot read', () => {
  it('keeps the words after "to" as the target instead of 1 back, and never takes them for the repo', () => {
    const normal = parseWithGrammar('rollback test01 back to normal');
    expect([normal.repo, normal.target, normal.stepsBack]).toEqual(['test01', 'normal', null]);
    const morning = parseWithGrammar('go back to the version from this morning');
    expect([morning.repo, morning.target]).toEqual([null, 'this morning']);
    // Words that mean the previous version, and counts, are still read as counts.
    expect(parseWithGrammar('revert test01 to the previous release').stepsBack).toBe(1);
    expect(parseWithGrammar('rollback test01 to the last known good version').stepsBack).toBe(1);
    expect(parseWithGrammar('rollback test01 to 2 versions back').stepsBack).toBe(2);
  });
});
