import { performance } from 'node:perf_hooks';
import { NcpClient } from '../src/ncp/client.ts';
import { signedHeaders } from '../src/ncp/sign.ts';
import { startNcpSimulator } from '../src/ncp/simulator/index.ts';

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** Cost of one signed NCP call against the simulator on 127.0.0.1, and of signing alone. */
export default async function bench(): Promise<void> {
  const signOps = 100_000;
  const input = {
    method: 'GET',
    pathWithQuery: '/api/v1/project/20011/history?pageNo=1',
    timestampMs: Date.now(),
    accessKey: 'AK',
    secretKey: 'SK-0123456789abcdef0123456789abcdef',
  };
  let sink = 0;
  const s0 = performance.now();
  for (let i = 0; i < signOps; i++)
    sink +=
      signedHeaders({ ...input, timestampMs: input.timestampMs + i })['x-ncp-apigw-signature-v2']?.length ??
      0;
  const signUs = ((performance.now() - s0) * 1000) / signOps;
  if (sink === 0) throw new Error('unreachable');

  const sim = await startNcpSimulator({ phaseMs: 1_000 });
  const client = new NcpClient(sim.clientOptions(10_000));
  try {
    const demo = await sim.seedDemo();
    const target = {
      projectId: demo.deployProjectId,
      stageId: demo.deployStageId,
      scenarioId: demo.deployScenarioId,
    };
    const { historyId } = await client.runScenario(target);
    for (let i = 0; i < 100; i++) await client.getDeployRun(demo.deployProjectId, historyId);

    const n = 2_000;
    const times: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const a = performance.now();
      await client.getDeployRun(demo.deployProjectId, historyId);
      times.push(performance.now() - a);
    }
    const total = performance.now() - t0;
    times.sort((x, y) => x - y);
    console.log(`signing alone          ${signUs.toFixed(2)} µs/op (${signOps} ops)`);
    console.log(
      `signed GET, sequential ${(n / (total / 1000)).toFixed(0)} calls/s  p50 ${quantile(times, 0.5).toFixed(3)} ms  p99 ${quantile(times, 0.99).toFixed(3)} ms  (${n} calls against the simulator)`,
    );

    // SourceCommit over git smart-HTTP: what a /deploy question and a rollback cost on the demo repo.
    const repo = { projectId: demo.scProjectId, repoName: demo.scRepoName, branch: demo.defaultBranch };
    const prefix = demo.commits[demo.commits.length - 1]?.sha.slice(0, 7) ?? '';
    const image = (i: number) => `${demo.registryHost}/${demo.imageName}:bench${String(i).padStart(3, '0')}`;
    const gitRuns = 10;
    const p50 = async (fn: (i: number) => Promise<unknown>): Promise<string> => {
      const t: number[] = [];
      for (let i = 0; i < gitRuns; i++) {
        const a = performance.now();
        await fn(i);
        t.push(performance.now() - a);
      }
      t.sort((x, y) => x - y);
      return `p50 ${quantile(t, 0.5).toFixed(1)} ms  max ${(t[t.length - 1] ?? 0).toFixed(1)} ms`;
    };
    console.log(`git resolveRef branch  ${await p50(() => client.resolveRef(repo, demo.defaultBranch))}`);
    console.log(`git resolveRef prefix  ${await p50(() => client.resolveRef(repo, prefix))}`);
    console.log(
      `git setManifestImage   ${await p50((i) => client.setManifestImage(repo, demo.manifestPath, image(i), `bench ${i}`))}`,
    );
    console.log(`  (${gitRuns} runs each against the simulator's demo repo)`);

    // A repository with history, where a full clone per question costs what the cache saves.
    const big = { projectId: '1011', repoName: 'bench-history', branch: 'main' };
    await sim.createRepo(big.repoName);
    let first = '';
    for (let i = 0; i < 300; i++) {
      const files: Record<string, string> = {};
      for (let f = 0; f < 8; f++)
        files[`src/file-${f}.ts`] = `// revision ${i}\n${'x'.repeat(2_000 + i + f)}\n`;
      const sha = await sim.commit(big.repoName, big.branch, files, `Change ${i}`);
      if (i === 0) first = sha;
    }
    console.log(`git resolveRef branch  ${await p50(() => client.resolveRef(big, 'main'))}  (300 commits)`);
    console.log(
      `git resolveRef prefix  ${await p50(() => client.resolveRef(big, first.slice(0, 7)))}  (300 commits)`,
    );
  } finally {
    await client.close();
    await sim.stop();
  }
}
