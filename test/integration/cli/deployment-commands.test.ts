import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeploymentJson, json, type Run, spawnCli, startCli } from '../../support/cli.ts';
import { waitFor } from '../../support/wait-for.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'klepaas-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const start = (args: readonly string[], env: Record<string, string> = {}) => startCli(dir, args, env);
const cli = (...args: string[]): Promise<Run> => start(args).done;

// Each run starts node, opens SQLite and seeds a simulator with a git repository: seconds on a busy machine.
describe('klepaas-bot deployment commands (simulator, real SQLite file)', { timeout: 240_000 }, () => {
  it('diagnose --json prints the guide JSON, says the simulator is in use, exits 0 when ready', async () => {
    const r = await cli('diagnose', 'K-Le-PaaS/test01', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('built-in NCP simulator');
    expect(json(r)).toMatchObject({
      ready: true,
      owner: 'K-Le-PaaS',
      repo: 'test01',
      issues: [],
      mode: 'simulator',
    });
    expect(json(r).deployment_count).toBe(5);

    const missing = await cli('diagnose', 'K-Le-PaaS/new-project', '--json');
    expect(missing.code).toBe(1);
    expect(json(missing)).toMatchObject({ ready: false, deployment_count: null, latest_deployment: null });
  });

  it('rollback without --yes prints the plan and starts nothing; with --yes it waits for the simulator run to succeed', async () => {
    const cand = await cli('candidates', 'K-Le-PaaS/test01', '--json');
    expect(cand.code).toBe(0);
    const list = json(cand) as { candidates: { n: number; commitSha: string }[] };
    expect(list.candidates.map((c) => c.n)).toEqual([1, 2, 3, 4]);

    const dry = await cli('rollback', 'K-Le-PaaS/test01', '--json');
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain('--yes');
    expect(json(dry)).toMatchObject({ started: false, plan: { stepsBack: 1 } });

    const run = await cli('rollback', 'K-Le-PaaS/test01', '--steps', '1', '--yes', '--json');
    expect(run.code).toBe(0);
    const out = json(run) as { started: boolean; deployment: DeploymentJson & { rollbackFromId: number } };
    expect(out.started).toBe(true);
    expect(out.deployment).toMatchObject({ operation: 'rollback', status: 'success' });
    const id = out.deployment.id;
    expect(run.stderr).toContain(`Rollback #${id} started. The simulator runs inside this command`);
    // The poller's notices, in order, on stderr; stdout holds only the JSON.
    const startedAt = run.stderr.indexOf('▶ Rollback of K-Le-PaaS/test01');
    const succeededAt = run.stderr.indexOf('✅ Rollback of K-Le-PaaS/test01');
    expect(startedAt).toBeGreaterThan(-1);
    expect(succeededAt).toBeGreaterThan(startedAt);
    expect(run.stderr).toMatch(/SourceDeploy reported "success"/);

    const status = await cli('status', 'K-Le-PaaS/test01', '--json');
    expect(json(status)).toMatchObject({ deployment: { id, operation: 'rollback', status: 'success' } });
    const history = await cli('history', 'K-Le-PaaS/test01', '--json', '--limit', '3');
    const rows = JSON.parse(history.stdout) as DeploymentJson[];
    expect(rows).toHaveLength(3);
    expect(rows.filter((d) => d.id === id)).toHaveLength(1);
    // Nothing is left in flight, so the repo is free for the next request.
    expect(rows.filter((d) => ['queued', 'building', 'deploying'].includes(d.status))).toEqual([]);
  });

  it('a rollback while another is in flight is refused with DEPLOYMENT_IN_FLIGHT', async () => {
    // Slow phases keep the first one in flight while the second is asked for.
    // Its own process, so SIGTERM really ends it (the one spawned run here).
    const first = spawnCli(dir, ['rollback', 'K-Le-PaaS/test01', '--yes'], { SIM_PHASE_MS: '60000' });
    try {
      await waitFor('the first rollback to start', () => first.run.stderr.includes('▶ Rollback'), 60_000);
      const second = await cli('rollback', 'K-Le-PaaS/test01', '--yes');
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^DEPLOYMENT_IN_FLIGHT: /m);
    } finally {
      first.child.kill('SIGTERM');
      await first.done;
    }
    // Its simulator died with it, so the interrupted record is closed rather than left blocking the repo.
    expect(first.run.code).toBe(143);
    const status = await cli('status', 'K-Le-PaaS/test01', '--json');
    expect(json(status)).toMatchObject({
      deployment: {
        operation: 'rollback',
        status: 'failed',
        errorMessage: expect.stringContaining('Interrupted (SIGTERM)'),
      },
    });
  });

  it('a rollback whose simulated deploy fails exits 1 with the failed record', async () => {
    const r = await start(['rollback', 'K-Le-PaaS/test01', '--yes', '--json'], { SIM_DEPLOY_FAIL_RATE: '1' })
      .done;
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({ started: true, deployment: { operation: 'rollback', status: 'failed' } });
    expect(r.stderr).toContain('❌ Rollback of K-Le-PaaS/test01');
  });

  it('--no-wait is refused with the simulator, before anything starts', async () => {
    const r = await cli('rollback', 'K-Le-PaaS/test01', '--yes', '--no-wait');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^INVALID_INPUT: --no-wait is not available with the built-in NCP simulator/m);
    const d = await cli('deploy', 'K-Le-PaaS/test01', '--yes', '--no-wait', '--json');
    expect(d.code).toBe(1);
    expect(json(d)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    const history = JSON.parse(
      (await cli('history', 'K-Le-PaaS/test01', '--json')).stdout,
    ) as DeploymentJson[];
    expect(history).toHaveLength(5);
  });

  it('a refusal exits 1 with `CODE: message` on stderr and the error as JSON on stdout', async () => {
    const r = await cli('rollback', 'K-Le-PaaS/new-project', '--yes', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'INTEGRATION_NOT_FOUND: No project integration found for K-Le-PaaS/new-project. Please set up the project first using the deployment API.',
    );
    expect(json(r)).toMatchObject({ error: { code: 'INTEGRATION_NOT_FOUND', status: 404 } });

    const nd = await cli('rollback', 'K-Le-PaaS/test01', '--to', 'c39eb54', '--yes');
    expect(nd.code).toBe(1);
    expect(nd.stderr).toContain(
      'COMMIT_NOT_DEPLOYED: No successful deployment found for commit c39eb54. Cannot rollback to undeployed commit.',
    );

    const ko = await cli('rollback', 'K-Le-PaaS/test01', '--steps', '0', '--lang', 'ko');
    expect(ko.code).toBe(1);
    expect(ko.stderr).toMatch(/^INVALID_STEPS: .*1 이상의 정수/m);
  });

  it('usage mistakes exit 2', async () => {
    expect((await cli('rollback', 'K-Le-PaaS/test01', '--nope')).code).toBe(2);
    expect((await cli('integration', 'frobnicate')).code).toBe(2);
  });

  it('integration add, list, update and remove round-trip', async () => {
    const add = await cli(
      'integration',
      'add',
      'acme/web',
      '--build-project',
      '11',
      '--deploy-project',
      '22',
      '--stage',
      '33',
      '--scenario',
      '44',
      '--registry',
      'acme.kr.ncr.ntruss.com',
      '--json',
    );
    expect(add.code).toBe(0);
    expect(json(add)).toMatchObject({
      owner: 'acme',
      repo: 'web',
      imageName: 'acme-web',
      buildProjectId: '11',
    });
    expect((await cli('integration', 'add', 'acme/web')).stderr).toMatch(/^INTEGRATION_EXISTS: /m);

    const upd = await cli('integration', 'update', 'acme/web', '--branch', 'release', '--json');
    expect(json(upd)).toMatchObject({ defaultBranch: 'release', buildProjectId: '11' });

    const list = await cli('integration', 'list', '--json');
    const repos = (JSON.parse(list.stdout) as { owner: string; repo: string }[]).map(
      (i) => `${i.owner}/${i.repo}`,
    );
    expect(repos).toEqual(expect.arrayContaining(['acme/web', 'K-Le-PaaS/test01']));

    expect((await cli('integration', 'remove', 'acme/web')).code).toBe(0);
    const again = await cli('integration', 'remove', 'acme/web');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^INTEGRATION_NOT_FOUND: /m);
  });

  it('deploy --ref main --yes builds, then deploys, and waits for success; the table names the record', async () => {
    const r = await cli('deploy', 'K-Le-PaaS/test01', '--ref', 'main', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Deployment:\s+#\d+ \(deploy\) K-Le-PaaS\/test01/);
    expect(r.stdout).toMatch(/Status:\s+success \(NCP: success\)/);
    expect(r.stdout).toMatch(/Build:\s+\S+/);
    expect(r.stdout).toMatch(/Deploy run:\s+\S+/);
    expect(r.stderr).toMatch(/Deploy #\d+ started/);
    const build = r.stderr.indexOf('SourceBuild build');
    const handover = r.stderr.indexOf('build succeeded, SourceDeploy run');
    const done = r.stderr.indexOf('✅ Deploy of K-Le-PaaS/test01 main @');
    expect(build).toBeGreaterThan(-1);
    expect(handover).toBeGreaterThan(build);
    expect(done).toBeGreaterThan(handover);
  });

  it('--help lists every command with the summary its module gives', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    const names = [...r.stderr.matchAll(/^ {2}([a-z]+) {2,}(.+)$/gm)];
    expect(names.map((m) => m[1]).sort()).toEqual([
      'cancel',
      'candidates',
      'console',
      'db',
      'deploy',
      'diagnose',
      'history',
      'integration',
      'parse',
      'rollback',
      'serve',
      'status',
      'unpin',
    ]);
    for (const [, name, summary] of names) {
      const mod = (await import(`../../../src/cli/commands/${name}.ts`)) as { default: { summary: string } };
      expect(summary, name).toBe(mod.default.summary);
    }
  });

  it('a deploy lock taken in chat holds for the CLI; --force passes it', async () => {
    expect((await cli('candidates', 'K-Le-PaaS/test01', '--json')).code).toBe(0);
    const db = new Database(join(dir, 'k.db'));
    const now = Date.now();
    db.prepare(
      "INSERT INTO repo_locks (owner, repo, locked_by, via, reason, locked_at, expires_at) VALUES ('K-Le-PaaS', 'test01', 'UBOB', 'slack', 'freeze', ?, ?)",
    ).run(now, now + 3_600_000);
    db.close();
    const refused = await cli('rollback', 'K-Le-PaaS/test01', '--yes', '--json');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/locked by UBOB \("freeze"\) until/);
    const forced = await cli('rollback', 'K-Le-PaaS/test01', '--yes', '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('cancel: nothing in flight is NOTHING_TO_CANCEL; a record stuck with no NCP run is released with the reason', async () => {
    const none = await cli('cancel', 'K-Le-PaaS/test01', '--yes', '--json');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('NOTHING_TO_CANCEL');
    // A start whose process died before NCP saw it, as another process left it.
    const db = new Database(join(dir, 'k.db'));
    const now = Date.now();
    const { lastInsertRowid } = db
      .prepare(
        "INSERT INTO deployments (owner, repo, operation, status, requested_via, lang, requested_at, started_at, stage, stage_at) VALUES ('K-Le-PaaS', 'test01', 'rollback', 'deploying', 'cli', 'en', ?, ?, 'image_check', ?)",
      )
      .run(now, now, now);
    db.close();
    const asked = await cli('cancel', 'K-Le-PaaS/test01');
    expect(asked.code).toBe(1);
    expect(asked.stdout).toContain('Run again with --yes');
    const released = await cli(
      'cancel',
      'K-Le-PaaS/test01',
      '--yes',
      '--reason',
      'stuck after a crash',
      '--json',
    );
    expect(released.code, released.stderr).toBe(0);
    const out = json(released) as {
      accepted: boolean;
      how: string;
      deployment: { id: number; status: string };
    };
    expect(out).toMatchObject({ accepted: true, how: 'released', deployment: { status: 'canceled' } });
    expect(out.deployment.id).toBe(Number(lastInsertRowid));
    const check = new Database(join(dir, 'k.db'), { readonly: true });
    const audit = check
      .prepare('SELECT outcome FROM audit_log WHERE deployment_id = ?')
      .all(Number(lastInsertRowid)) as { outcome: string }[];
    check.close();
    expect(audit.map((a) => a.outcome)).toEqual([expect.stringContaining('stuck after a crash')]);
  });
});
