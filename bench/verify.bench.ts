import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open.ts';
import { createStores } from '../src/db/stores.ts';
import { silentLogger } from '../src/log/logger.ts';
import { createPollerEvents } from '../src/poller/events.ts';
import { createInProcessPoller } from '../src/poller/in-process.ts';
import type { PollJobDeps } from '../src/poller/job.ts';
import { memoryOnceGuard } from '../src/poller/once.ts';
import { verificationStart } from '../src/poller/verify-job.ts';
import { systemClock } from '../src/services/ports.ts';
import { lookAtApp } from '../src/verify/probe.ts';
import { defaultVerifySettings } from '../src/verify/thresholds.ts';

/**
 * 1,000 deployments verifying at once on one worker (the in-process poller, one look per deployment per
 * interval: health and Prometheus metrics over HTTP, parse, judge, store): the worker's CPU share and
 * peak RSS over the whole window. The apps answer from another process. Every line carries the load
 * average and the core count, since other work on the machine moves the figures.
 */
const N = Number(process.env.BENCH_VERIFY_N ?? 1000);
const WINDOW_MS = Number(process.env.BENCH_VERIFY_WINDOW_MS ?? 60_000);
const INTERVAL_MS = Number(process.env.BENCH_VERIFY_INTERVAL_MS ?? 5_000);

const machine = (): string =>
  `[load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} · ${cpus().length} cores]`;

export default async function bench(): Promise<void> {
  const apps = fork(new URL('./verify-apps.child.ts', import.meta.url), [], {
    execArgv: ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    apps.once('message', (m) => resolve((m as { port: number }).port)),
  );
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-bench-verify-'));
  const logger = silentLogger();
  const db = openDatabase(join(dir, 'bench.db'), { logger });
  const stores = createStores(db.db);
  const defaults = { ...defaultVerifySettings, intervalMs: INTERVAL_MS };
  const now = new Date();
  for (let i = 0; i < N; i++) {
    const repo = `app-${String(i).padStart(4, '0')}`;
    const base = `http://127.0.0.1:${port}/apps/${i}`;
    const integration = stores.integrations.upsert({
      owner: 'bench',
      repo,
      healthUrl: `${base}/healthz`,
      metricsUrl: `${base}/metrics`,
      verifyWindowMs: WINDOW_MS,
    });
    const d = stores.deployments.create({
      owner: 'bench',
      repo,
      commitSha: '1234567890abcdef1234567890abcdef12345678',
      commitMessage: null,
      ref: null,
      operation: 'deploy',
      rollbackFromId: null,
      status: 'success',
      image: 'bench/app',
      imageTag: '1234567',
      requestKey: null,
      requestedBy: 'bench',
      requestedVia: 'cli',
      lang: 'en',
      slackChannel: null,
      slackThreadTs: null,
    });
    stores.deployments.update(d.id, { ...verificationStart(integration, defaults, now), completedAt: now });
  }

  let looks = 0;
  let verdicts = 0;
  const events = createPollerEvents();
  events.subscribe((e) => {
    if (e.kind === 'verifying') looks += 1;
    if (e.kind === 'verified' || e.kind === 'verification_failed') verdicts += 1;
  });
  const deps: PollJobDeps = {
    store: stores.deployments,
    integrations: stores.integrations,
    ncp: { getBuild: async () => null, getDeployRun: async () => Promise.reject(new Error('no NCP here')) },
    continuation: { continueAfterBuild: async () => null },
    events,
    once: memoryOnceGuard(),
    clock: systemClock,
    limits: { intervalMs: INTERVAL_MS, deployTimeoutMs: 1, buildTimeoutMs: 1, approvalTimeoutMs: 1 },
    log: logger,
    verify: { look: lookAtApp, defaults },
  };
  const driver = createInProcessPoller({ deps, store: stores.deployments, concurrency: 64 });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await driver.start(); // resumes all N verifications from the database
  while (verdicts < N) await new Promise((r) => setTimeout(r, 50));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await driver.stop();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const verified = stores.deployments.history('bench', 'app-0000', 1)[0]?.verifyStatus;

  console.log(
    `verify in-process: ${N} deployments at once, window ${WINDOW_MS / 1000} s, look every ${INTERVAL_MS / 1000} s, all verdicts in ${(wallMs / 1000).toFixed(1)} s ${machine()}`,
  );
  console.log(`  looks/s            ${(looks / (wallMs / 1000)).toFixed(0)} (${looks} looks) ${machine()}`);
  console.log(
    `  worker CPU         ${cpuMs.toFixed(0)} ms (${((cpuMs / wallMs) * 100).toFixed(1)}% of one core) ${machine()}`,
  );
  console.log(`  worker peak RSS    ${(peakRss / 1024 / 1024).toFixed(0)} MB ${machine()}`);
  console.log(
    `  first verdict      ${verified ?? '-'}; left verifying ${stores.deployments.allVerifying().length} ${machine()}`,
  );

  apps.send('stop');
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
