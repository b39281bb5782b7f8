import { describe, expect, it } from 'vitest';
import { createSettleSignal } from '../../../src/bot/settle.ts';

describe('settle signal', () => {
  it('wakes every waiter on a confirmation the moment it settles, long before the re-read', async () => {
    const s = createSettleSignal();
    // An hour: if only the timer woke them, the test would time out.
    const a = s.next('p1', 3_600_000);
    const b = s.next('p1', 3_600_000);
    const other = s.next('p2', 10);
    s.settled('p1');
    await expect(Promise.all([a, b])).resolves.toEqual(['settled', 'settled']);
    await expect(other).resolves.toBe('timeout');
  });

  it('wakes after the re-read interval when nothing settles here (another process won the press)', async () => {
    const s = createSettleSignal();
    await expect(s.next('p1', 5)).resolves.toBe('timeout');
    // A settle with nobody waiting, and a waiter after it, are both fine.
    s.settled('p1');
    await expect(s.next('p1', 5)).resolves.toBe('timeout');
  });
});
