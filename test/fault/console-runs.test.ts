import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { latestRecord, notices, sigkill, spawnProc, until } from './processes.ts';

// Three console runs in a row on one database, the built-in simulator in each (no NCP keys): each
// finishes its rollback, with the reconciler looking at every start and leaving finished records alone.
const dir = mkdtempSync(join(tmpdir(), 'klepaas-console-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('three console runs in a row on one database', { timeout: 120_000 }, () => {
  it('each finishes a rollback: one record per run, success, one started and one final notice each', async () => {
    const env = {
      DATABASE_PATH: join(dir, 'k.db'),
      SIM_PHASE_MS: '150',
      POLL_INTERVAL_MS: '100',
      RECONCILE_INTERVAL_MS: '200',
      // The records and their notices are under test here; the demo's verification has its own tests.
      SIM_VERIFY_WINDOW_MS: '0',
    };
    for (let i = 1; i <= 3; i++) {
      const p = spawnProc('console', [], env);
      p.child.stdin.end('K-Le-PaaS/test01 롤백 해줘\ny\n');
      await p.done;
      expect(p.out.code, p.out.stderr).toBe(0);
      expect(notices(p.out.stdout)).toMatchObject({ started: 1, ended: 1 });
      expect(notices(p.out.stdout).lines[1]).toMatch(/^✅/u);
    }
    const db = new Database(env.DATABASE_PATH, { readonly: true });
    const rows = db
      .prepare("SELECT status, deploy_history_id FROM deployments WHERE operation = 'rollback' ORDER BY id")
      .all() as { status: string; deploy_history_id: string }[];
    db.close();
    expect(rows.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    expect(new Set(rows.map((r) => r.deploy_history_id)).size).toBe(3);
  });

  it('a console killed after Deploy, before storing its id: the next console run adopts the run from the built-in simulator', async () => {
    const env = {
      DATABASE_PATH: join(dir, 'k2.db'),
      SIM_PHASE_MS: '150',
      POLL_INTERVAL_MS: '100',
      RECONCILE_GRACE_MS: '500',
      RECONCILE_INTERVAL_MS: '200',
    };
    // The halted process keeps its own reconciler running: with the short grace it could ask NCP while
    // its Deploy is still on the way on a loaded machine, so it gets the default grace here.
    const first = spawnProc('console', [], {
      ...env,
      RECONCILE_GRACE_MS: '600000',
      HALT_AT: 'deploy_start:after',
    });
    first.child.stdin.write('K-Le-PaaS/test01 롤백 해줘\ny\n');
    await until('the halt', () => first.out.stderr.includes('HALTED at deploy_start:after'));
    await sigkill(first);
    expect(latestRecord(env.DATABASE_PATH)).toMatchObject({ status: 'deploying', deploy_history_id: null });

    const next = spawnProc('console', [], env);
    try {
      const row = await until('the record to end', () => {
        const r = latestRecord(env.DATABASE_PATH);
        return r && r.status !== 'deploying' ? r : undefined;
      });
      expect(row.status).toBe('success');
      expect(row.deploy_history_id).not.toBeNull();
      await until('the final notice', () => notices(next.out.stdout).ended > 0, 10_000);
      next.child.stdin.end();
      await next.done;
      const all = [first, next].map((p) => notices(p.out.stdout));
      expect(all.reduce((n, x) => n + x.started, 0)).toBe(1);
      expect(all.reduce((n, x) => n + x.ended, 0)).toBe(1);
    } finally {
      await sigkill(next);
    }
  });
});
