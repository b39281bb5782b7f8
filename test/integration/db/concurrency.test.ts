import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/open.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { allMigrations, newDeployment, type TempDb, tempDb } from './helpers.ts';
import type { RaceJob } from './race-worker.ts';

const workerScript = fileURLToPath(new URL('./race-worker.ts', import.meta.url));

interface Result {
  readonly ok: boolean;
  readonly code?: string;
  readonly error?: string;
  readonly id?: number;
  readonly applied?: string[];
}

/** Lines from a child's stdout, one per call, in order. */
function lineReader(child: ChildProcessWithoutNullStreams, stderr: () => string): () => Promise<string> {
  const lines: string[] = [];
  const waiters: ((line: string | null) => void)[] = [];
  let buffered = '';
  let ended = false;
  const push = (line: string | null) => {
    const w = waiters.shift();
    if (w) w(line);
    else if (line !== null) lines.push(line);
  };
  child.stdout.on('data', (b: Buffer) => {
    buffered += b.toString();
    let i = buffered.indexOf('\n');
    while (i >= 0) {
      push(buffered.slice(0, i));
      buffered = buffered.slice(i + 1);
      i = buffered.indexOf('\n');
    }
  });
  child.on('close', () => {
    ended = true;
    while (waiters.length > 0) push(null);
  });
  return async () => {
    const ready = lines.shift();
    if (ready !== undefined) return ready;
    if (ended) throw new Error(`worker exited early: ${stderr()}`);
    const line = await new Promise<string | null>((resolve) => waiters.push(resolve));
    if (line === null) throw new Error(`worker exited early: ${stderr()}`);
    return line;
  };
}

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly next: () => Promise<string>;
}

const workers: Worker[] = [];

beforeAll(async () => {
  for (let i = 0; i < 4; i++) {
    const child = spawn(
      process.execPath,
      ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', workerScript],
      { stdio: 'pipe' },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    workers.push({ child, next: lineReader(child, () => stderr) });
  }
  expect(await Promise.all(workers.map((w) => w.next()))).toEqual(workers.map(() => 'ready'));
}, 120_000);

afterAll(() => {
  for (const w of workers) w.child.stdin.end();
});

/** Hands one job to each worker at the same moment and collects what each saw. */
async function race(jobs: readonly RaceJob[]): Promise<Result[]> {
  if (jobs.length > workers.length) throw new Error(`only ${workers.length} workers`);
  const used = jobs.map((job, i) => ({ job, w: workers[i] as Worker }));
  const lines = used.map(({ job }) => `${JSON.stringify(job)}\n`);
  used.forEach(({ w }, i) => {
    w.child.stdin.write(lines[i] as string);
  });
  const out = await Promise.all(used.map(({ w }) => w.next()));
  return out.map((line) => JSON.parse(line) as Result);
}

let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.cleanup());

describe('separate processes on one file', () => {
  it('two processes (and then four) creating a deployment of one repo make exactly one row', async () => {
    const two = await race([
      { path: t.path, action: 'create', owner: 'K-Le-PaaS', repo: 'test01' },
      { path: t.path, action: 'create', owner: 'k-le-paas', repo: 'TEST01' },
    ]);
    expect(two.filter((r) => r.ok)).toHaveLength(1);
    expect(two.filter((r) => !r.ok).map((r) => r.code)).toEqual(['DEPLOYMENT_IN_FLIGHT']);

    const four = await race(
      Array.from({ length: 4 }, (_, i): RaceJob => ({ path: t.path, action: 'create', repo: `r${i % 2}` })),
    );
    expect(four.filter((r) => r.ok)).toHaveLength(2);
    expect(four.filter((r) => !r.ok).map((r) => r.code)).toEqual([
      'DEPLOYMENT_IN_FLIGHT',
      'DEPLOYMENT_IN_FLIGHT',
    ]);

    const rows = t.sqlite
      .prepare('SELECT lower(repo) AS repo, count(*) AS n FROM deployments GROUP BY 1')
      .all();
    expect(rows).toEqual([
      { repo: 'r0', n: 1 },
      { repo: 'r1', n: 1 },
      { repo: 'test01', n: 1 },
    ]);
  });

  it('retries of one request from several processes all get the same record', async () => {
    const results = await race(
      Array.from(
        { length: 4 },
        (): RaceJob => ({ path: t.path, action: 'create', requestKey: 'slack:C1:1.1' }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(t.sqlite.prepare('SELECT count(*) FROM deployments').pluck().get()).toBe(1);
  });

  it('of several presses of one confirmation, exactly one wins; a retried event runs once', async () => {
    t.stores.pendingActions.create({
      id: 'p1',
      kind: 'deploy',
      payload: newDeployment(),
      requestedBy: 'U1',
      via: 'slack',
      lang: 'en',
      slackChannel: 'C1',
      slackThreadTs: null,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 600_000),
    });
    const presses = await race(
      Array.from(
        { length: 4 },
        (_, i): RaceJob => ({ path: t.path, action: 'decide', id: 'p1', by: `U${i}` }),
      ),
    );
    expect(presses.filter((r) => r.ok)).toHaveLength(1);
    const events = await race(
      Array.from({ length: 4 }, (): RaceJob => ({ path: t.path, action: 'firstSeen', id: 'Ev1' })),
    );
    expect(events.filter((r) => r.ok)).toHaveLength(1);
  });
});

describe('migrating at start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'klepaas-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('several processes opening a new file at once all succeed and migrate it once', async () => {
    const path = join(dir, 'nested', 'fresh.db');
    const results = await race(Array.from({ length: 4 }, (): RaceJob => ({ path, action: 'open' })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.flatMap((r) => r.applied ?? [])).toEqual(allMigrations);
    const check = openDatabase(path, { logger: silentLogger() });
    try {
      expect(check.applied).toEqual([]);
      expect(check.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(
        allMigrations.length,
      );
    } finally {
      check.close();
    }
  });
});
