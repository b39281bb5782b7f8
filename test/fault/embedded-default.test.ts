import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log/logger.ts';
import { startRuntime } from '../../src/runtime/app.ts';
import { type Run, spawnCli, startCli } from '../support/cli.ts';
import { waitFor } from '../support/wait-for.ts';

// The embedded default (no NCP keys: the built-in simulator) run again and again on one database, as a
// new user does: every run must work, not only the first.
const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'klepaas-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function consoleRun(db: string, input: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', mainTs, 'console'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DATABASE_PATH: db, SIM_PHASE_MS: '150', POLL_INTERVAL_MS: '100' },
      stdio: 'pipe',
    });
    const run: Run = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (b: Buffer) => (run.stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (run.stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      run.code = code;
      resolve(run);
    });
    child.stdin.end(input);
  });
}

const rows = (db: string, sql: string): Record<string, unknown>[] => {
  if (!existsSync(db)) return [];
  const sqlite = new Database(db, { readonly: true });
  try {
    return sqlite.prepare(sql).all() as Record<string, unknown>[];
  } catch (err) {
    // Read while the first process is still creating the schema.
    if (err instanceof Error && /no such table/.test(err.message)) return [];
    throw err;
  } finally {
    sqlite.close();
  }
};

describe('the built-in simulator on one database, run after run', () => {
  it('three console runs in a row each finish a rollback', async () => {
    const db = join(dir, 'console.db');
    for (let i = 1; i <= 3; i++) {
      const run = await consoleRun(db, 'K-Le-PaaS/test01 롤백 해줘\ny\n');
      expect(run.code, `run ${i}\n${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout, `run ${i}`).toMatch(/✅ K-Le-PaaS\/test01 롤백 \([0-9a-f]{7}\) 완료/);
      expect(run.stdout + run.stderr, `run ${i}`).not.toMatch(/UNIQUE|SqliteError|내부 오류/);
    }
    const done = rows(db, "SELECT status, deploy_history_id FROM deployments WHERE operation = 'rollback'");
    expect(done.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    expect(new Set(done.map((r) => r.deploy_history_id)).size).toBe(3);
  }, 120_000);

  it("the README's CLI commands (rollback, then deploy among them) succeed twice in a row", async () => {
    const cwd = mkdtempSync(join(dir, 'readme-'));
    for (let round = 1; round <= 2; round++) {
      // Every command the README shows, in its order.
      for (const args of [
        ['parse', 'test01 두 단계 전으로 되돌려'],
        ['candidates', 'K-Le-PaaS/test01'],
        ['rollback', 'K-Le-PaaS/test01', '--steps', '2', '--yes', '--wait'],
        ['unpin', 'K-Le-PaaS/test01'],
        ['deploy', 'K-Le-PaaS/test01', '--ref', 'main', '--yes', '--wait'],
        ['diagnose', 'K-Le-PaaS/test01', '--json'],
      ]) {
        const run = await startCli(cwd, args).done;
        expect(run.code, `round ${round}: ${args.join(' ')}\n${run.stderr}`).toBe(0);
      }
    }
    const ops = rows(
      join(cwd, 'k.db'),
      "SELECT operation, status FROM deployments WHERE requested_by != 'demo-seed'",
    );
    expect(ops).toEqual([
      { operation: 'rollback', status: 'success' },
      { operation: 'deploy', status: 'success' },
      { operation: 'rollback', status: 'success' },
      { operation: 'deploy', status: 'success' },
    ]);
  }, 120_000);

  it('seeds the demo once when 20 commands start together on a new database', async () => {
    const cwd = mkdtempSync(join(dir, 'twenty-'));
    const args = ['history', 'K-Le-PaaS/test01', '--json'];
    // Four separate processes race each other (and the locks between processes); the other sixteen race
    // inside this one, each on its own connection, at a fraction of the cost of a node start apiece.
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i < 4 ? spawnCli(cwd, args) : startCli(cwd, args)).done),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const db = join(cwd, 'k.db');
    const seeded = rows(db, "SELECT commit_sha FROM deployments WHERE requested_by = 'demo-seed'");
    expect(seeded).toHaveLength(5);
    expect(rows(db, 'SELECT id FROM integrations')).toHaveLength(1);
    // And the demo still works after that crowd.
    const after = await startCli(cwd, ['rollback', 'K-Le-PaaS/test01', '--yes', '--wait']).done;
    expect(after.code, after.stderr).toBe(0);
  }, 180_000);

  it('a deployment started by a process killed mid-way is followed to its end by the next process', async () => {
    const cwd = mkdtempSync(join(dir, 'follow-'));
    const db = join(cwd, 'k.db');
    // Long phases so the run is still going on NCP when its process dies.
    const first = spawnCli(cwd, ['rollback', 'K-Le-PaaS/test01', '--yes', '--wait'], {
      SIM_PHASE_MS: '1500',
    });
    await waitFor(
      'the rollback to have its SourceDeploy id',
      () =>
        rows(db, "SELECT deploy_history_id FROM deployments WHERE operation = 'rollback'").some(
          (r) => r.deploy_history_id !== null,
        ),
      30_000,
    );
    first.child.kill('SIGKILL');
    await first.done;

    const config = loadConfig({ DATABASE_PATH: db, SIM_PHASE_MS: '1500', POLL_INTERVAL_MS: '100' });
    const runtime = await startRuntime(config, { logger: createLogger({ level: 'silent', format: 'json' }) });
    try {
      await waitFor(
        'the rollback to end',
        () =>
          rows(db, "SELECT status FROM deployments WHERE operation = 'rollback'").every(
            (r) => r.status !== 'deploying',
          ),
        30_000,
      );
    } finally {
      await runtime.close();
    }
    expect(rows(db, "SELECT status, ncp_status FROM deployments WHERE operation = 'rollback'")).toEqual([
      { status: 'success', ncp_status: 'success' },
    ]);
  }, 90_000);
});
