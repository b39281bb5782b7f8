import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.ts';
import { openDatabase } from '../src/db/open.ts';
import { createStores } from '../src/db/stores.ts';
import { isTerminal } from '../src/domain/deployment.ts';
import { silentLogger } from '../src/log/logger.ts';
import { ncpEnvOf, startNcpSimulator } from '../src/ncp/simulator/index.ts';
import { startRuntime } from '../src/runtime/app.ts';
import { seedDemoData } from '../src/runtime/seed-demo.ts';

/**
 * Time from a crash to the record's true state, over BENCH_RECOVERY_N crashes (50): a CLI deploy is
 * SIGKILLed at a step of its start (before StartBuild, during it with NCP's answer held, after it before
 * the id is stored; in turn), while a bot runtime on the same database runs its reconciler and then
 * follows the adopted build to its deploy. Measured from the SIGKILL to the moment the record holds what
 * NCP reached: the adopted build id, or `failed` for a start NCP never saw. (Deploys, not rollbacks: a
 * version rolled away from stops being a rollback candidate, so 50 rollbacks would run out of targets.) The figure is bounded below by RECONCILE_GRACE_MS (the time a start step may
 * take before its process is presumed gone) and by the reconcile interval. Aim: p99 < grace + 2 x
 * interval + 1 s.
 */
const N = Number(process.env.BENCH_RECOVERY_N ?? 50);
// Long enough for any call of a start on a loaded two-core machine: a shorter grace can ask NCP while
// a live process's call is still on its way, and end its record before the run exists.
const GRACE_MS = Number(process.env.BENCH_RECOVERY_GRACE_MS ?? 2_000);
const INTERVAL_MS = Number(process.env.BENCH_RECOVERY_INTERVAL_MS ?? 200);
const cliMain = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

type Point = 'before' | 'during' | 'after';
const points: readonly Point[] = ['before', 'during', 'after'];

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

async function until<T>(check: () => T | null | undefined | false, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-bench-recovery-'));
  const sim = await startNcpSimulator({ phaseMs: 100 });
  const demo = await sim.seedDemo();
  const dbPath = join(dir, 'k.db');
  const seeded = openDatabase(dbPath, { logger: silentLogger() });
  seedDemoData(createStores(seeded.db), demo);
  seeded.close();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATABASE_PATH: dbPath,
    ...ncpEnvOf(sim),
    POLL_INTERVAL_MS: '100',
    RECONCILE_GRACE_MS: String(GRACE_MS),
    RECONCILE_INTERVAL_MS: String(INTERVAL_MS),
  };
  const bot = await startRuntime(loadConfig(env), { logger: silentLogger() });
  const store = bot.stores.deployments;
  const samples: Record<Point, number[]> = { before: [], during: [], after: [] };
  try {
    for (let i = 0; i < N; i++) {
      const point = points[i % points.length] as Point;
      const runsBefore = sim.buildRuns().length;
      if (point === 'during') sim.holdNextAnswer('POST', '/build', 60_000);
      // Deploy whichever of the two newest commits is not running, so no deploy is refused as a no-op.
      const running = store.current('K-Le-PaaS', 'test01')?.commitSha;
      const ref = (demo.commits[0]?.sha === running ? demo.commits[1] : demo.commits[0])?.sha ?? 'main';
      const child: ChildProcessWithoutNullStreams = spawn(
        process.execPath,
        [
          '--disable-warning=ExperimentalWarning',
          cliMain,
          'deploy',
          'K-Le-PaaS/test01',
          '--ref',
          ref,
          '--yes',
          '--no-wait',
        ],
        { env: point === 'during' ? env : { ...env, HALT_AT: `build_start:${point}` }, stdio: 'pipe' },
      );
      let stderr = '';
      let exited: number | null = null;
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.stdout.resume();
      const gone = new Promise((r) => child.once('close', r));
      child.once('exit', (code) => {
        exited = code ?? -1;
      });
      await until(
        () => {
          if (exited !== null) throw new Error(`crash ${i} (${point}): the CLI exited ${exited}: ${stderr}`);
          return point === 'during' ? sim.buildRuns().length > runsBefore : stderr.includes('HALTED at');
        },
        30_000,
        `crash point ${point} (${stderr.trim().split('\n').at(-1) ?? ''})`,
      );
      const record = await until(() => store.latest('K-Le-PaaS', 'test01'), 5_000, 'the record');
      child.kill('SIGKILL');
      await gone;
      const killedAt = performance.now();
      const settled = await until(
        () => {
          const d = store.get(record.id);
          return d && (d.buildId !== null || isTerminal(d.status)) ? d : null;
        },
        30_000,
        'the record to hold its true state',
      );
      samples[point].push(performance.now() - killedAt);
      const truth = point === 'before' ? 'failed' : 'adopted';
      const got = settled.buildId !== null ? 'adopted' : settled.status;
      if (got !== truth)
        throw new Error(
          `crash ${i} (${point}): expected ${truth}, the record says ${got}: ${settled.errorMessage ?? ''}`,
        );
      // The next crash needs the repo free: let the adopted run finish.
      await until(() => isTerminal(store.get(record.id)?.status ?? 'failed'), 30_000, 'the run to end');
    }
  } finally {
    await bot.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const pooled = [...samples.before, ...samples.during, ...samples.after].sort((a, b) => a - b);
  const aim = GRACE_MS + 2 * INTERVAL_MS + 1000;
  const p99 = quantile(pooled, 0.99);
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  console.log(
    `crash -> true state  ${pooled.length} crashes  pooled p50 ${quantile(pooled, 0.5).toFixed(0)} ms  p99 ${p99.toFixed(0)} ms  aim p99 < ${aim} ms  ${p99 < aim ? 'ok' : 'MISSED'}  (grace ${GRACE_MS} ms, interval ${INTERVAL_MS} ms)  loadavg ${load}  cores ${cpus().length}`,
  );
  for (const p of points) {
    const s = [...samples[p]].sort((a, b) => a - b);
    console.log(
      `  ${`${p} the call`.padEnd(16)} n=${s.length}  p50 ${quantile(s, 0.5).toFixed(0)} ms  p99 ${quantile(s, 0.99).toFixed(0)} ms`,
    );
  }
}
