import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'klepaas-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** `node src/cli/main.ts ...` in an empty directory with only the env given: no NCP keys, so the simulator. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DATABASE_PATH: join(dir, 'k.db'), SIM_PHASE_MS: '50' },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const json = (r: Run): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;

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

  it('rollback without --yes prints the plan, starts nothing and exits 1; with --yes it starts one record', async () => {
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
    const out = json(run) as {
      started: boolean;
      deployment: { id: number; operation: string; status: string };
    };
    expect(out.started).toBe(true);
    expect(out.deployment).toMatchObject({ operation: 'rollback', status: 'deploying' });
    expect(run.stderr).toContain(`Rollback #${out.deployment.id} started`);
    expect(run.stderr).toContain('klepaas-bot status K-Le-PaaS/test01');

    const status = await cli('status', 'K-Le-PaaS/test01', '--json');
    expect(json(status)).toMatchObject({ deployment: { id: out.deployment.id, operation: 'rollback' } });
    const history = await cli('history', 'K-Le-PaaS/test01', '--json', '--limit', '3');
    const rows = JSON.parse(history.stdout) as { id: number }[];
    expect(rows).toHaveLength(3);
    expect(rows.filter((d) => d.id === out.deployment.id)).toHaveLength(1);

    // A second rollback while the first is in flight is refused.
    const second = await cli('rollback', 'K-Le-PaaS/test01', '--yes');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^DEPLOYMENT_IN_FLIGHT: /m);
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

  it('deploy --yes starts a build of the default branch; the readable table names the record', async () => {
    const r = await cli('deploy', 'K-Le-PaaS/test01', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Deployment:\s+#\d+ \(deploy\) K-Le-PaaS\/test01/);
    expect(r.stdout).toMatch(/Status:\s+building/);
    expect(r.stderr).toMatch(/Deploy #\d+ started/);
  });
});
