import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/open.ts';
import { createStores } from '../src/db/stores.ts';
import type { DeploymentStatus, Operation } from '../src/domain/deployment.ts';
import { silentLogger } from '../src/log/logger.ts';
import { goal, machine, pooled } from './stats.ts';

const ROWS = Number(process.env.BENCH_DB_ROWS ?? 1_000_000);
const REPOS = 200;
const CALLS = 1_000;
const AIM_MS = 2;
const TRIALS = 5;

// Deterministic so every run measures the same file (mulberry32).
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number): string =>
  Array.from({ length: 40 }, () => Math.floor(r() * 16).toString(16)).join('');

function pick<T>(r: () => number, weighted: readonly (readonly [T, number])[]): T {
  let x = r() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of weighted) {
    x -= w;
    if (x <= 0) return v;
  }
  return (weighted[0] as readonly [T, number])[0];
}

interface Repo {
  readonly owner: string;
  readonly repo: string;
}

/** ROWS (1,000,000 by default) rows over 200 repos in one transaction: mostly deploys of new commits, some redeploys,
 * rollbacks to earlier commits, failures, cancellations and timeouts, and a few still in flight. */
function seed(sqlite: import('better-sqlite3').Database, repos: readonly Repo[]): void {
  const r = rng(42);
  const insert = sqlite.prepare(
    `INSERT INTO deployments (owner, repo, commit_sha, commit_message, ref, operation, rollback_from_id, status,
       ncp_status, build_id, deploy_history_id, image, image_tag, requested_by, requested_via, lang,
       requested_at, started_at, deployed_at, completed_at, duration_ms, error_message, error_stage)
     VALUES (@owner, @repo, @sha, @msg, 'main', @op, NULL, @status, @ncp, @build, @hist, @image, @tag, 'U1',
       'slack', 'ko', @at, @at, @deployed, @done, @dur, @err, @stage)`,
  );
  const commits = repos.map(() => [] as string[]);
  const start = Date.parse('2024-01-01T00:00:00Z');
  const step = Math.floor((Date.parse('2026-01-01T00:00:00Z') - start) / ROWS);
  sqlite.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const ri = Math.floor(r() * repos.length);
      const repo = repos[ri] as Repo;
      const seen = commits[ri] as string[];
      const op: Operation = seen.length > 2 && r() < 0.12 ? 'rollback' : 'deploy';
      const reuse = op === 'rollback' || (seen.length > 0 && r() < 0.08);
      const sha = reuse ? (seen[Math.max(0, seen.length - 1 - Math.floor(r() * 5))] as string) : hex(r);
      if (!reuse) seen.push(sha);
      const status = pick<DeploymentStatus>(r, [
        ['success', 78],
        ['failed', 14],
        ['canceled', 4],
        ['timed_out', 4],
      ]);
      const at = start + i * step;
      const dur = 30_000 + Math.floor(r() * 120_000);
      insert.run({
        owner: repo.owner,
        repo: repo.repo,
        sha,
        msg: `change ${i}`,
        op,
        status,
        ncp: status === 'success' ? 'success' : 'fail',
        build: `b${i}`,
        hist: `h${i}`,
        image: `${repo.owner}-${repo.repo}`.toLowerCase(),
        tag: sha.slice(0, 7),
        at,
        deployed: status === 'success' ? at + dur : null,
        done: at + dur,
        dur,
        err: status === 'failed' ? 'deploy failed' : null,
        stage: status === 'failed' ? 'deploy' : null,
      });
    }
  })();
  // A handful of repos with a deployment still running, as in a live system.
  for (const repo of repos.slice(0, 10)) {
    insert.run({
      ...repo,
      sha: hex(r),
      msg: 'in flight',
      op: 'deploy',
      status: 'building',
      ncp: 'upload',
      build: null,
      hist: null,
      image: null,
      tag: null,
      at: start + ROWS * step,
      deployed: null,
      done: null,
      dur: null,
      err: null,
      stage: null,
    });
  }
  sqlite.exec('ANALYZE');
}

function trial(calls: number, fn: (i: number) => unknown): number[] {
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** `calls` calls per trial, TRIALS trials, percentiles over every call of every trial. */
function time(label: string, calls: number, fn: (i: number) => unknown): void {
  for (let i = 0; i < 100; i++) fn(i); // warm the page cache and the prepared statements
  const all = pooled(Array.from({ length: TRIALS }, () => trial(calls, fn)));
  console.log(
    `${label.padEnd(34)} pooled p50 ${all.p50.toFixed(3)} ms  p99 ${all.p99.toFixed(3)} ms  (${all.n} calls)  [${machine()}]`,
  );
  console.log(goal(`${label} p99`, all.p99, AIM_MS, 'ms', 3));
}

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-db-bench-'));
  const opened = openDatabase(join(dir, 'bench.db'), { logger: silentLogger() });
  try {
    const repos: Repo[] = Array.from({ length: REPOS }, (_, i) => ({
      owner: i % 3 === 0 ? 'K-Le-PaaS' : `team-${i % 7}`,
      repo: `service-${String(i).padStart(3, '0')}`,
    }));
    const t0 = performance.now();
    seed(opened.sqlite, repos);
    const total = opened.sqlite.prepare('SELECT count(*) FROM deployments').pluck().get();
    console.log(
      `seeded ${total} deployments over ${REPOS} repos in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // The statements the store prepares, caught as it prepares them, so the commit-prefix plan can be
    // printed: the figure only holds while the planner seeks the SHA range.
    const prepared: string[] = [];
    const prepare = opened.sqlite.prepare.bind(opened.sqlite);
    opened.sqlite.prepare = ((source: string) => {
      prepared.push(source);
      return prepare(source);
    }) as typeof opened.sqlite.prepare;
    const store = createStores(opened.db).deployments;
    opened.sqlite.prepare = prepare;
    const prefixSql = prepared.find((q) => q.includes('"commit_sha" >='));
    if (prefixSql) {
      const plan = opened.sqlite
        .prepare(`EXPLAIN QUERY PLAN ${prefixSql}`)
        .all(...Array.from({ length: (prefixSql.match(/\?/g) ?? []).length }, () => 'x'))
        .map((row) => (row as { detail: string }).detail);
      console.log(`findByCommitPrefix plan: ${plan.join(' | ')}`);
    }
    const r = rng(7);
    const order = Array.from({ length: CALLS + 100 }, () => repos[Math.floor(r() * repos.length)] as Repo);
    const at = (i: number) => order[i % order.length] as Repo;
    // People type names in any case; the queries must still use the lower() indexes.
    const shout = (s: string) => s.toUpperCase();

    time('successfulDeploys(owner, repo, 20)', CALLS, (i) =>
      store.successfulDeploys(at(i).owner, at(i).repo, 20),
    );
    time('history(owner, repo, 20)', CALLS, (i) => store.history(shout(at(i).owner), at(i).repo, 20));
    time('current(owner, repo)', CALLS, (i) => store.current(at(i).owner, at(i).repo));
    const prefixes = order.map(
      (repo) => store.history(repo.owner, repo.repo, 1)[0]?.commitSha?.slice(0, 7) ?? 'abc',
    );
    time('findByCommitPrefix(7 chars)', CALLS, (i) =>
      store.findByCommitPrefix(at(i).owner, at(i).repo, prefixes[i % prefixes.length] as string),
    );
    time('inFlight(owner, repo)', CALLS, (i) => store.inFlight(at(i).owner, at(i).repo));
    // What the poller does on every status change: one UPDATE of a record and one notice claim.
    const live = store.allInFlight();
    time('update(id, status change)', CALLS, (i) => {
      const d = live[i % live.length];
      if (d) store.update(d.id, { ncpStatus: i % 2 === 0 ? 'inprogress' : 'pending', startedAt: new Date() });
    });
    const events = createStores(opened.db).events;
    const now = new Date();
    let claim = 0;
    time('events.firstSeen(new id)', CALLS, () => events.firstSeen(`poller:bench:${claim++}`, now));

    // Every chat request looks its integration up at least once.
    const integrations = createStores(opened.db).integrations;
    for (const repo of repos) integrations.upsert({ ...repo, buildProjectId: '1', deployProjectId: '2' });
    time('integrations.find(owner, repo)', CALLS, (i) => integrations.find(shout(at(i).owner), at(i).repo));
    time('integrations.findByRepoName(repo)', CALLS, (i) => integrations.findByRepoName(at(i).repo));
  } finally {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
