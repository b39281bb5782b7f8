import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSeed, type NcpSimulator, startNcpSimulator } from '../../../src/ncp/simulator/index.ts';
import { type DeploymentJson, json, type Run, startCli } from '../../support/cli.ts';

// The simulator runs in the test process and the CLI reaches it with NCP keys, as it would reach NCP:
// the command's own process holds no simulator, so nothing forces it to wait.
let sim: NcpSimulator;
let demo: DemoSeed;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startNcpSimulator({ phaseMs: 150 });
  demo = await sim.seedDemo();
  dir = mkdtempSync(join(tmpdir(), 'klepaas-cli-ncp-'));
  env = {
    NCP_ACCESS_KEY: sim.accessKey,
    NCP_SECRET_KEY: sim.secretKey,
    NCP_SOURCEBUILD_URL: sim.sourceBuildUrl,
    NCP_SOURCEDEPLOY_URL: sim.sourceDeployUrl,
    NCP_SOURCECOMMIT_GIT_URL: sim.gitBaseUrl,
    NCP_GIT_USERNAME: sim.gitUsername,
    NCP_GIT_PASSWORD: sim.gitPassword,
    NCR_INSECURE_HTTP: '1',
  };
});
afterAll(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]): Promise<Run> => startCli(dir, args, env).done;

const connect = (slug: string) =>
  cli(
    'integration',
    'add',
    slug,
    '--sc-project',
    demo.scProjectId,
    '--sc-repo',
    demo.scRepoName,
    '--build-project',
    demo.buildProjectId,
    '--deploy-project',
    demo.deployProjectId,
    '--stage',
    demo.deployStageId,
    '--scenario',
    demo.deployScenarioId,
    '--registry',
    demo.registryHost,
    '--image',
    demo.imageName,
    '--branch',
    demo.defaultBranch,
    '--manifest',
    demo.manifestPath,
    '--json',
  );

describe('klepaas-bot deploy against NCP (no simulator in the command)', { timeout: 240_000 }, () => {
  it('without --wait prints the started record and leaves it to the bot; --wait follows only its own deployment', async () => {
    expect((await connect('K-Le-PaaS/test01')).code).toBe(0);
    expect((await connect('acme/web')).code).toBe(0);

    const started = await cli('deploy', 'K-Le-PaaS/test01', '--ref', 'main', '--yes', '--json');
    expect(started.code).toBe(0);
    expect(started.stderr).not.toContain('simulator');
    const left = (json(started) as { deployment: DeploymentJson }).deployment;
    expect(left).toMatchObject({ operation: 'deploy', status: 'building', ncpStatus: null });
    expect(started.stderr).toContain(
      `Deploy #${left.id} started. Without REDIS_URL the bot's poller picks it up`,
    );

    const waited = await cli('deploy', 'acme/web', '--ref', 'main', '--yes', '--wait', '--json');
    expect(waited.code).toBe(0);
    const own = (json(waited) as { deployment: DeploymentJson }).deployment;
    expect(own).toMatchObject({ operation: 'deploy', status: 'success', ncpStatus: 'success' });
    expect(waited.stderr).toContain(`Deploy #${own.id} started; following it to the end`);
    expect(waited.stderr).toContain('✅ Deploy of acme/web main @');
    expect(waited.stderr).not.toContain('K-Le-PaaS/test01');

    // The waiting command polled its own deployment only: the other one is as it was left, for the bot.
    const status = await cli('status', 'K-Le-PaaS/test01', '--json');
    expect(json(status)).toMatchObject({ deployment: { id: left.id, status: 'building', ncpStatus: null } });
  });
});
