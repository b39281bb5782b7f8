import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/domain/deployment.ts';
import { KlepaasError } from '../../../src/domain/errors.ts';
import { buildCandidateList, selectByPrefix, selectByStep } from '../../../src/services/rules/candidates.ts';
import { dep, sha } from './make-deployment.ts';

const A = sha('a1');
const B = sha('b2');
const C = sha('c3');
const D = sha('d4');

/** Newest first, the way the store hands them over; `current` is the newest success of any kind. */
function list(rows: Deployment[]) {
  const current = rows.find((r) => r.status === 'success') ?? null;
  return buildCandidateList('K-Le-PaaS', 'test01', rows, current);
}

function refusal(fn: () => unknown): KlepaasError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KlepaasError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('candidates: one definition of N back', () => {
  it('numbers the commits before the running one, newest first', () => {
    const l = list([
      dep({ id: 3, commitSha: C }),
      dep({ id: 2, commitSha: B }),
      dep({ id: 1, commitSha: A }),
    ]);
    expect(l.current?.commitSha).toBe(C);
    expect(l.candidates.map((c) => [c.n, c.commitSha, c.imageTag])).toEqual([
      [1, B, B.slice(0, 7)],
      [2, A, A.slice(0, 7)],
    ]);
    expect(selectByStep(l, 1).commitSha).toBe(B);
    expect(selectByStep(l, 2).commitSha).toBe(A);
  });

  it('after a rollback on top, the rolled-back-to commit runs and the rolled-away-from one is faulty', () => {
    const rows = [
      dep({ id: 4, commitSha: A, operation: 'rollback', rollbackFromId: 3 }),
      dep({ id: 3, commitSha: C }),
      dep({ id: 2, commitSha: B }),
      dep({ id: 1, commitSha: A }),
    ];
    const l = list(rows);
    expect(l.current?.commitSha).toBe(A);
    // C was rolled away from: never a target, listed apart, marked with the rollback that fled it.
    expect(l.candidates.map((c) => c.commitSha)).toEqual([B]);
    expect(l.faulty.map((f) => [f.commitSha, f.rollbackId, f.deploymentId])).toEqual([[C, 4, 3]]);
    expect(selectByStep(l, 1).commitSha).toBe(B);
    expect(refusal(() => selectByPrefix(l, A.slice(0, 7))).code).toBe('ALREADY_RUNNING');
    expect(refusal(() => selectByPrefix(l, C.slice(0, 7))).code).toBe('FAULTY_TARGET');
    // Chosen on purpose ("undo that"), it is allowed and comes back marked.
    expect(selectByPrefix(l, C.slice(0, 7), { faultyOk: true }).faulty?.rollbackId).toBe(4);
  });

  it('deploy A, deploy B, roll back to A: 1 back is what ran before A, never B', () => {
    const rows = [
      dep({ id: 4, commitSha: A, operation: 'rollback', rollbackFromId: 3 }),
      dep({ id: 3, commitSha: B }),
      dep({ id: 2, commitSha: A }),
      dep({ id: 1, commitSha: C }),
    ];
    const l = list(rows);
    expect(selectByStep(l, 1).commitSha).toBe(C);
    expect(l.candidates.map((c) => c.commitSha)).not.toContain(B);
  });

  it('rolling back twice marks both fled versions; a plain deploy or an undo clears the mark', () => {
    const twice = [
      dep({ id: 5, commitSha: B, operation: 'rollback', rollbackFromId: 4 }),
      dep({ id: 4, commitSha: C, operation: 'rollback', rollbackFromId: 3 }),
      dep({ id: 3, commitSha: D }),
      dep({ id: 2, commitSha: C }),
      dep({ id: 1, commitSha: B }),
    ];
    // D fled (rollback #4), then C fled (rollback #5): only the oldest remains… none before B here.
    expect(list(twice).faulty.map((f) => f.commitSha)).toEqual([C, D]);
    expect(list(twice).candidates).toEqual([]);
    const redeployed = [dep({ id: 6, commitSha: D }), ...twice];
    expect(list(redeployed).faulty.map((f) => f.commitSha)).toEqual([C]);
    // An undo (a rollback to the faulty C) clears C and marks nothing.
    const undone = [dep({ id: 6, commitSha: C, operation: 'rollback', rollbackFromId: 5 }), ...twice];
    const u = list(undone);
    expect(u.current?.commitSha).toBe(C);
    expect(u.faulty.map((f) => f.commitSha)).toEqual([D]);
    expect(u.candidates.map((c) => c.commitSha)).toEqual([B]);
  });

  it('a commit deployed twice counts once, at its newest position', () => {
    const rows = [
      dep({ id: 5, commitSha: D }),
      dep({ id: 4, commitSha: A }),
      dep({ id: 3, commitSha: B }),
      dep({ id: 2, commitSha: A }),
      dep({ id: 1, commitSha: C }),
    ];
    const l = list(rows);
    expect(l.candidates.map((c) => [c.n, c.commitSha, c.deploymentId])).toEqual([
      [1, A, 4],
      [2, B, 3],
      [3, C, 1],
    ]);
  });

  it('skips failures and in-flight records between successes', () => {
    const rows = [
      dep({ id: 5, commitSha: D, status: 'deploying' }),
      dep({ id: 4, commitSha: C, status: 'failed' }),
      dep({ id: 3, commitSha: B }),
      dep({ id: 2, commitSha: D, status: 'timed_out' }),
      dep({ id: 1, commitSha: A }),
    ];
    const l = list(rows);
    expect(l.current?.commitSha).toBe(B);
    expect(l.candidates.map((c) => c.commitSha)).toEqual([A]);
    expect(refusal(() => selectByPrefix(l, D.slice(0, 7))).code).toBe('COMMIT_NOT_DEPLOYED');
  });

  it('refuses N beyond the list, saying how many candidates exist', () => {
    const l = list([dep({ id: 2, commitSha: B }), dep({ id: 1, commitSha: A })]);
    const err = refusal(() => selectByStep(l, 3));
    expect(err.code).toBe('NOT_ENOUGH_HISTORY');
    expect(err.status).toBe(404);
    expect(err.message).toBe(
      '404: Cannot roll back 3 deployment(s) for K-Le-PaaS/test01: only 1 rollback candidate(s) exist.',
    );
    expect(err.messages.ko).toContain('1개');
  });

  it('refuses steps that are not whole numbers of 1 or more', () => {
    const l = list([dep({ id: 2, commitSha: B }), dep({ id: 1, commitSha: A })]);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(refusal(() => selectByStep(l, bad)).code).toBe('INVALID_STEPS');
    }
  });

  it('with no deployments at all, gives the seed 404 for both selectors', () => {
    const l = list([]);
    const err = refusal(() => selectByStep(l, 1));
    expect(err.code).toBe('NO_DEPLOYMENT_HISTORY');
    expect(err.message).toBe(
      '404: No deployment history found for K-Le-PaaS/test01. Deploy the application first before attempting rollback.',
    );
    expect(refusal(() => selectByPrefix(l, 'c39eb54')).code).toBe('NO_DEPLOYMENT_HISTORY');
  });
});

describe('selectByPrefix', () => {
  const X1 = `abcdef1${'0'.repeat(33)}`;
  const X2 = `abcdef2${'0'.repeat(33)}`;
  const rows = [dep({ id: 3, commitSha: C }), dep({ id: 2, commitSha: X2 }), dep({ id: 1, commitSha: X1 })];

  it('takes a unique prefix, in any case, or the full SHA', () => {
    const l = list(rows);
    expect(selectByPrefix(l, 'ABCDEF1').commitSha).toBe(X1);
    expect(selectByPrefix(l, X2).n).toBe(1);
  });

  it('lists every match of an ambiguous prefix', () => {
    // Six characters is below the seven people must type, so it is refused before matching.
    expect(refusal(() => selectByPrefix(list(rows), 'abcdef')).code).toBe('INVALID_INPUT');
    const X3 = `abcdef1a${'0'.repeat(32)}`;
    const l = list([dep({ id: 10, commitSha: X3 }), ...rows]);
    const e = refusal(() => selectByPrefix(l, 'abcdef1'));
    expect(e.code).toBe('AMBIGUOUS_COMMIT');
    expect(e.status).toBe(409);
    expect(e.details.matches).toEqual([X3, X1]);
    expect(e.messages.en).toContain('abcdef1, abcdef1');
  });

  it('gives the seed message for a commit never deployed', () => {
    const err = refusal(() => selectByPrefix(list(rows), 'c39eb54'));
    expect(err.code).toBe('COMMIT_NOT_DEPLOYED');
    expect(err.message).toBe(
      '404: No successful deployment found for commit c39eb54. Cannot rollback to undeployed commit.',
    );
  });
});

describe('candidate numbering over arbitrary histories', () => {
  const row = fc.record({
    commit: fc.constantFrom(A, B, C, D),
    status: fc.constantFrom('success', 'success', 'failed', 'deploying') as fc.Arbitrary<
      Deployment['status']
    >,
    operation: fc.constantFrom('deploy', 'deploy', 'rollback') as fc.Arbitrary<Deployment['operation']>,
  });

  it('never offers the running commit, numbers 1..k, one per commit, and N back agrees with the list', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rs) => {
        const rows = rs.map((r, i) =>
          dep({ id: rs.length - i, commitSha: r.commit, status: r.status, operation: r.operation }),
        );
        const l = list(rows);
        const shas = l.candidates.map((c) => c.commitSha);
        expect(new Set(shas).size).toBe(shas.length);
        expect(l.candidates.map((c) => c.n)).toEqual(shas.map((_, i) => i + 1));
        if (l.current) expect(shas).not.toContain(l.current.commitSha);
        l.candidates.forEach((c) => {
          expect(selectByStep(l, c.n)).toEqual(c);
          expect(selectByPrefix(l, c.commitSha)).toEqual(c);
        });
      }),
    );
  });
});

describe('targets in words', () => {
  it('"before X" is what ran before the deploy that brought X in, not before a later rollback to it', async () => {
    const { beforeChange } = await import('../../../src/services/rules/target-words.ts');
    const rows = [
      dep({
        id: 5,
        commitSha: A,
        operation: 'rollback',
        rollbackFromId: 4,
        commitMessage: 'Add redis cache',
      }),
      dep({ id: 4, commitSha: C }),
      dep({ id: 3, commitSha: A, commitMessage: 'Add redis cache' }),
      dep({ id: 2, commitSha: B }),
    ];
    expect(beforeChange(rows, 'redis')?.before?.commitSha).toBe(B);
  });

  it('reads times in the zone given: 어제 배포 전 is the start of yesterday there', async () => {
    const { readTargetWords } = await import('../../../src/services/rules/target-words.ts');
    const now = new Date('2026-12-01T22:00:00Z'); // 07:00 on 12-02 in Seoul
    const w = readTargetWords('어제 배포 전', now, 'Asia/Seoul');
    expect(w.kind === 'at' && w.at.toISOString()).toBe('2026-11-30T15:00:00.000Z');
    const three = readTargetWords('3pm', now, 'Asia/Seoul');
    expect(three.kind === 'at' && three.at.toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(readTargetWords('main', now, 'UTC').kind).toBe('ref');
    expect(readTargetWords('2a7a', now, 'UTC').kind).toBe('short_sha');
  });
});
