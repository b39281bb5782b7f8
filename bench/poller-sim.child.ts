import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimApps } from '../src/ncp/simulator/apps.ts';
import { GitRepos } from '../src/ncp/simulator/git-repos.ts';
import type { SimRuntime } from '../src/ncp/simulator/runtime.ts';
import { handle } from '../src/ncp/simulator/server.ts';
import { type DeployRecord, SimState } from '../src/ncp/simulator/state.ts';

/**
 * The NCP simulator's HTTP API for the poller benchmark, in its own process so the worker's CPU and
 * memory are the worker's alone. Runs are added to its state directly (no git, no HTTP) with start
 * times chosen by the benchmark, so every status change happens while the poller runs.
 */
const phaseMs = Number(process.argv[2] ?? '5000');
const root = mkdtempSync(join(tmpdir(), 'klepaas-bench-sim-'));
const state = new SimState(phaseMs);
const secretKey = randomBytes(20).toString('hex');
const rt: SimRuntime = {
  state,
  apps: new SimApps(state),
  repos: new GitRepos(root),
  accessKey: `SIM${randomBytes(8).toString('hex').toUpperCase()}`,
  secretKey,
  gitUsername: 'klepaas',
  gitPassword: secretKey,
  now: Date.now,
  wallNow: Date.now,
  random: Math.random,
  buildFailRate: 0,
  deployFailRate: 0,
  errorRate: 0,
  latencyMs: Number(process.argv[3] ?? '0'),
  hooks: { nextBuildFails: 0, nextDeployFails: 0, failNext: [], holdAnswers: [] },
  calls: [],
  tokens: new Set(),
  origin: '',
};
const server = createServer((req, res) => {
  handle(rt, req, res).catch(() => {
    res.writeHead(500);
    res.end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
rt.origin = base;
const scenario = { projectId: '3011', stageId: '4011', scenarioId: '5011' };
state.scenarios.set(state.scenarioKey(scenario.projectId, scenario.stageId, scenario.scenarioId), {
  ...scenario,
  name: 'bench-deploy',
  repoName: 'bench',
  branch: 'main',
  manifestPath: 'k8s/deployment.yaml',
});

process.send?.({
  clientOptions: {
    mode: 'simulator',
    sourceBuildUrl: `${base}/sourcebuild`,
    sourceDeployUrl: `${base}/sourcedeploy`,
    sourceCommitGitUrl: `${base}/git`,
    accessKey: rt.accessKey,
    secretKey,
    timeoutMs: 10_000,
    registryScheme: 'http',
  },
  scenario,
});

process.on('message', (m: { seed?: { startedAt: number[] } } | 'stop') => {
  if (m === 'stop') {
    server.closeAllConnections();
    server.close();
    rmSync(root, { recursive: true, force: true });
    process.exit(0);
  }
  if (m.seed) {
    // Each run waits for approval one phase (pending), is approved then, and deploys for two phases
    // (inprogress -> success): two status changes at known moments. The runs go into the state as already
    // settled: settling walks every unsettled run on every request (O(runs in flight)), which at 10,000
    // runs capped this simulator near 100 requests/s, and nothing here needs what settling leaves behind
    // (the running image). The calls log is not kept either; the benchmark does not read it.
    const historyIds = m.seed.startedAt.map((startedAt) => {
      const historyId = state.nextId();
      const rec: DeployRecord = {
        historyId,
        ...scenario,
        image: 'bench/app:1234567',
        imageExisted: true,
        needsApproval: true,
        startedAt,
        willFail: false,
        approvedAt: null,
        rejectedAt: null,
        forcedStatus: null,
        canceledAt: null,
        settled: true,
      };
      state.deploys.set(historyId, rec);
      setTimeout(
        () => {
          rec.approvedAt = startedAt + phaseMs;
        },
        Math.max(0, startedAt + phaseMs - Date.now()),
      );
      return historyId;
    });
    process.send?.({ historyIds });
  }
});
