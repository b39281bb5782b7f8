import { afterEach, expect, it } from 'vitest';
import { createHarness, type Harness, waitFor } from './harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

it('an in-process poller finds and finishes a deployment another process started', async () => {
  h = await createHarness('in-process');
  const t = h;
  // The process that starts the rollback never polls (a CLI run without --wait, say).
  const starter = t.makeDriver();
  t.use(starter);
  const follower = t.makeDriver({ rescanMs: 100 });
  await follower.start();
  const d = await t.rollback(1);
  expect(d.status).toBe('deploying');
  await waitFor('the follower to finish it', () => t.record(d.id).status === 'success');
  expect(t.count(d.id, 'succeeded')).toBe(1);
});
