import { describe, expect, it } from 'vitest';
import { createWorkQueue } from '../../../src/slack/listeners/work-queue.ts';

/** A job the test finishes by hand, recording when it started. */
function gate(log: string[], name: string) {
  let open: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    job: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
    },
    open: () => open(),
  };
}

/** Turns run only when the test says so, so "one job per turn" is observable. */
function manualTurns() {
  const pending: (() => void)[] = [];
  return {
    yieldTurn: (run: () => void) => {
      pending.push(run);
    },
    next: () => pending.shift()?.(),
    get waiting() {
      return pending.length;
    },
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('post-ack work queue', () => {
  it('starts one job per event-loop turn, never in the turn that pushed it', async () => {
    const log: string[] = [];
    const turns = manualTurns();
    const q = createWorkQueue({ concurrency: 8, onError: () => {}, yieldTurn: turns.yieldTurn });
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    q.push(a.job);
    q.push(b.job);
    expect(log).toEqual([]);
    turns.next();
    expect(log).toEqual(['start a']);
    turns.next();
    expect(log).toEqual(['start a', 'start b']);
    a.open();
    b.open();
    await q.idle();
    expect(q.size).toBe(0);
  });

  it('keeps at most `concurrency` jobs in flight and starts the next when one ends', async () => {
    const log: string[] = [];
    const q = createWorkQueue({ concurrency: 2, onError: () => {} });
    const jobs = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));
    for (const j of jobs) q.push(j.job);
    await settle();
    await settle();
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    jobs[1]?.open();
    await new Promise<void>((resolve) => {
      const poll = () => (log.includes('start c') ? resolve() : setImmediate(poll));
      poll();
    });
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start b', 'start c']);
    for (const j of jobs) j.open();
    await q.idle();
    expect(log.filter((l) => l.startsWith('end'))).toHaveLength(4);
  });

  it('runs jobs of one thread in arrival order, one at a time, while other threads go ahead', async () => {
    const log: string[] = [];
    const q = createWorkQueue({ concurrency: 8, onError: () => {} });
    const first = gate(log, 't1-first');
    const second = gate(log, 't1-second');
    const other = gate(log, 't2');
    q.push(first.job, 'C1:1.0');
    q.push(second.job, 'C1:1.0');
    q.push(other.job, 'C2:2.0');
    other.open();
    await new Promise<void>((resolve) => {
      const poll = () => (log.includes('end t2') ? resolve() : setImmediate(poll));
      poll();
    });
    expect(log).not.toContain('start t1-second');
    second.open();
    first.open();
    await q.idle();
    expect(log.indexOf('end t1-first')).toBeLessThan(log.indexOf('start t1-second'));
  });

  it('hands a failing job to onError and goes on with the rest', async () => {
    const errors: unknown[] = [];
    const ran: string[] = [];
    const q = createWorkQueue({ concurrency: 1, onError: (e) => errors.push(e) });
    q.push(async () => {
      throw new Error('boom');
    });
    q.push(() => {
      throw new Error('sync boom');
    });
    q.push(async () => {
      ran.push('after');
    });
    await q.idle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom', 'sync boom']);
    expect(ran).toEqual(['after']);
  });

  it('holds jobs while requests keep arriving, and starts them when arrivals pause or the hold runs out', () => {
    const log: string[] = [];
    let clock = 0;
    const timers: { at: number; run: () => void }[] = [];
    const turns = manualTurns();
    const q = createWorkQueue({
      concurrency: 8,
      onError: () => {},
      yieldTurn: turns.yieldTurn,
      burst: { quietMs: 5, maxHoldMs: 300 },
      now: () => clock,
      later: (run, ms) => {
        timers.push({ at: clock + ms, run });
      },
    });
    const fireDue = () => {
      for (const t of timers.splice(0).sort((a, b) => a.at - b.at)) {
        if (t.at <= clock) t.run();
        else timers.push(t);
      }
    };
    // A request every 2 ms: always inside the quiet window, so nothing starts until the 300 ms hold ends.
    q.push(async () => {
      log.push('first');
    });
    turns.next();
    for (clock = 2; clock < 300; clock += 2) {
      q.push(async () => {});
      fireDue();
    }
    expect(log).toEqual([]);
    clock = 300;
    fireDue();
    expect(log).toEqual(['first']);

    // A lone request starts once 5 quiet ms have passed.
    const lone = createWorkQueue({
      concurrency: 8,
      onError: () => {},
      yieldTurn: turns.yieldTurn,
      burst: { quietMs: 5, maxHoldMs: 300 },
      now: () => clock,
      later: (run, ms) => {
        timers.push({ at: clock + ms, run });
      },
    });
    lone.push(async () => {
      log.push('lone');
    });
    while (turns.waiting > 0) turns.next();
    clock += 4;
    fireDue();
    expect(log).not.toContain('lone');
    clock += 1;
    fireDue();
    expect(log).toContain('lone');
  });
});
