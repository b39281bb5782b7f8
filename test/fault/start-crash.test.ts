import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DemoSeed, type NcpSimulator, startNcpSimulator } from '../../src/ncp/simulator/index.ts';
import {
  latestRecord,
  ncpEnv,
  notices,
  type Proc,
  type RecordRow,
  seedDatabase,
  sigkill,
  spawnProc,
  until,
} from './processes.ts';

// Issue 9, cases 2-4: every start is cut at each of its steps by kill -9 (HALT_AT stops the CLI exactly
// there; "during the call" is the simulator holding the answer of a call it carried out), then another
// process -- the console bot -- starts on the same database. The record must end in the state NCP
// reached, with one notice per state across both processes. NCP is the simulator in this test process,
// reached over loopback with NCP keys, so it outlives every child; one per test, as one NCP account
// belongs to one bot database.

let sim: NcpSimulator;
let demo: DemoSeed;
const dirs: string[] = [];

beforeEach(async () => {
  sim = await startNcpSimulator({ phaseMs: 300 });
  demo = await sim.seedDemo();
});
afterEach(async () => {
  await sim?.stop();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshDb(): { dbPath: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-fault-'));
  dirs.push(dir);
  const dbPath = join(dir, 'k.db');
  seedDatabase(dbPath, demo);
  return {
    dbPath,
    env: {
      ...ncpEnv(sim),
      DATABASE_PATH: dbPath,
      POLL_INTERVAL_MS: '100',
      NCP_TIMEOUT_MS: '2000',
      // A start step older than this is presumed abandoned by its process.
      RECONCILE_GRACE_MS: '800',
      RECONCILE_INTERVAL_MS: '300',
    },
  };
}

const rollbackArgs = ['rollback', 'K-Le-PaaS/test01', '--yes', '--no-wait'];
const deployArgs = ['deploy', 'K-Le-PaaS/test01', '--ref', 'main', '--yes', '--no-wait'];

/** The console bot on the database until the record is final and its notice printed; returns both. */
async function recover(env: Record<string, string>, dbPath: string): Promise<{ row: RecordRow; bot: Proc }> {
  const bot = spawnProc('console', [], env);
  try {
    const row = await until('the record to end', () => {
      const r = latestRecord(dbPath);
      return r && ['success', 'failed', 'canceled', 'timed_out'].includes(r.status) ? r : undefined;
    });
    await until('the final notice', () => notices(bot.out.stdout).ended > 0, 10_000);
    bot.child.stdin.end();
    await bot.done;
    return { row, bot };
  } finally {
    await sigkill(bot);
  }
}

const manifestImage = async () =>
  /image:\s*(\S+)/.exec((await sim.readRepoFile(demo.scRepoName, 'main', demo.manifestPath)) ?? '')?.[1];

describe('kill -9 at each step of a start', { timeout: 120_000 }, () => {
  it('before Deploy is called: NCP has no run, the record fails with the reason, the manifest goes back, one failure notice', async () => {
    const { dbPath, env } = freshDb();
    const before = await manifestImage();
    const runs = sim.deployRuns().length;
    const cli = spawnProc('cli', rollbackArgs, { ...env, HALT_AT: 'deploy_start:before' });
    await until('the halt', () => cli.out.stderr.includes('HALTED at deploy_start:before'));
    await sigkill(cli);
    expect(latestRecord(dbPath)).toMatchObject({ status: 'deploying', stage: 'deploy_start' });

    const { row, bot } = await recover(env, dbPath);
    expect(row).toMatchObject({ status: 'failed', deploy_history_id: null });
    expect(row.error_message).toContain("NCP's history has no deploy run");
    expect(sim.deployRuns().length).toBe(runs);
    expect(await manifestImage()).toBe(before);
    expect(notices(bot.out.stdout)).toMatchObject({ started: 0, ended: 1 });
  });

  it('during Deploy (NCP carried it out, the answer never arrived): the run is adopted and followed to success', async () => {
    const { dbPath, env } = freshDb();
    const runs = sim.deployRuns().length;
    sim.holdNextAnswer('POST', '/deploy', 60_000);
    const cli = spawnProc('cli', rollbackArgs, env);
    await until('NCP to take the Deploy', () => sim.deployRuns().length > runs);
    await sigkill(cli);
    const run = sim.deployRuns().at(-1);
    expect(latestRecord(dbPath)).toMatchObject({ status: 'deploying', deploy_history_id: null });

    const { row, bot } = await recover(env, dbPath);
    expect(row).toMatchObject({ status: 'success', deploy_history_id: run?.historyId });
    expect(notices(bot.out.stdout)).toMatchObject({ started: 1, ended: 1 });
    expect(notices(bot.out.stdout).lines[1]).toMatch(/^✅/u);
  });

  it('after Deploy returned, before its id was stored: adopted, success, one notice per state', async () => {
    const { dbPath, env } = freshDb();
    const cli = spawnProc('cli', rollbackArgs, { ...env, HALT_AT: 'deploy_start:after' });
    await until('the halt', () => cli.out.stderr.includes('HALTED at deploy_start:after'));
    await sigkill(cli);
    const run = sim.deployRuns().at(-1);
    const { row, bot } = await recover(env, dbPath);
    expect(row).toMatchObject({ status: 'success', deploy_history_id: run?.historyId });
    expect(notices(bot.out.stdout)).toMatchObject({ started: 1, ended: 1 });
  });

  it('before StartBuild of a deploy: failed with the reason, no build on NCP', async () => {
    const { dbPath, env } = freshDb();
    const builds = sim.buildRuns().length;
    const cli = spawnProc('cli', deployArgs, { ...env, HALT_AT: 'build_start:before' });
    await until('the halt', () => cli.out.stderr.includes('HALTED at build_start:before'));
    await sigkill(cli);
    const { row, bot } = await recover(env, dbPath);
    expect(row).toMatchObject({ status: 'failed', build_id: null });
    expect(row.error_message).toContain('never started');
    expect(sim.buildRuns().length).toBe(builds);
    expect(notices(bot.out.stdout)).toMatchObject({ started: 0, ended: 1 });
  });

  it('after StartBuild returned, before its id was stored: the build is adopted, then deployed to success', async () => {
    const { dbPath, env } = freshDb();
    const cli = spawnProc('cli', deployArgs, { ...env, HALT_AT: 'build_start:after' });
    await until('the halt', () => cli.out.stderr.includes('HALTED at build_start:after'));
    await sigkill(cli);
    const build = sim.buildRuns().at(-1);
    const { row, bot } = await recover(env, dbPath);
    expect(row).toMatchObject({ status: 'success', build_id: build?.buildId });
    expect(row.deploy_history_id).toBe(sim.deployRuns().at(-1)?.historyId);
    expect(notices(bot.out.stdout)).toMatchObject({ started: 1, ended: 1 });
  });
});

describe('a start NCP accepted but did not answer in time', { timeout: 60_000 }, () => {
  it('is never recorded failed nor retried: the CLI says so, and the bot adopts the run to success', async () => {
    const { dbPath, env } = freshDb();
    const runs = sim.deployRuns().length;
    sim.holdNextAnswer('POST', '/deploy', 5_000);
    const cli = spawnProc('cli', rollbackArgs, { ...env, NCP_TIMEOUT_MS: '500' });
    await cli.done;
    expect(cli.out.code).toBe(1);
    expect(cli.out.stderr).toContain('NCP_TIMEOUT');
    expect(latestRecord(dbPath)).toMatchObject({ status: 'deploying', stage: 'deploy_start_unknown' });
    const { row, bot } = await recover(env, dbPath);
    expect(row).toMatchObject({ status: 'success', deploy_history_id: sim.deployRuns().at(-1)?.historyId });
    // One run on NCP: nothing started it twice.
    expect(sim.deployRuns().length).toBe(runs + 1);
    expect(notices(bot.out.stdout)).toMatchObject({ started: 1, ended: 1 });
  });
});

describe('two processes at once', { timeout: 60_000 }, () => {
  it('two bots settling the same record in doubt: one record, one run adopted, one notice per state in all', async () => {
    const { dbPath, env } = freshDb();
    const cli = spawnProc('cli', rollbackArgs, { ...env, HALT_AT: 'deploy_start:after' });
    await until('the halt', () => cli.out.stderr.includes('HALTED at deploy_start:after'));
    await sigkill(cli);
    const run = sim.deployRuns().at(-1);
    const a = spawnProc('console', [], env);
    const b = spawnProc('console', [], env);
    try {
      const row = await until('the record to end', () => {
        const r = latestRecord(dbPath);
        return r?.status === 'success' ? r : undefined;
      });
      expect(row.deploy_history_id).toBe(run?.historyId);
      const both = () => {
        const x = notices(a.out.stdout);
        const y = notices(b.out.stdout);
        return { started: x.started + y.started, ended: x.ended + y.ended };
      };
      await until('the final notice', () => both().ended > 0, 10_000);
      a.child.stdin.end();
      b.child.stdin.end();
      await Promise.all([a.done, b.done]);
      expect(both()).toEqual({ started: 1, ended: 1 });
    } finally {
      await Promise.all([sigkill(a), sigkill(b)]);
    }
  });
});
