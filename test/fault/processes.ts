import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/db/open.ts';
import { createStores } from '../../src/db/stores.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { type DemoSeed, ncpEnvOf } from '../../src/ncp/simulator/index.ts';
import { DEMO_SEEDER, seedDemoData } from '../../src/runtime/seed-demo.ts';

const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const botMain = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface Proc {
  readonly child: ChildProcessWithoutNullStreams;
  readonly out: { stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null };
  readonly done: Promise<void>;
}

/** The bot (`console`) or the CLI as its own process, with only the env given. */
export function spawnProc(
  kind: 'cli' | 'console',
  args: readonly string[],
  env: Record<string, string>,
): Proc {
  const main = kind === 'cli' ? cliMain : botMain;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'pipe',
  });
  const out: Proc['out'] = { stdout: '', stderr: '', code: null, signal: null };
  child.stdout.on('data', (b: Buffer) => (out.stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out.stderr += b.toString()));
  const done = new Promise<void>((resolve) => {
    child.on('close', (code, signal) => {
      out.code = code;
      out.signal = signal;
      resolve();
    });
  });
  return { child, out, done };
}

/** kill -9, then wait for the process to be gone. */
export async function sigkill(p: Proc): Promise<void> {
  if (p.out.code === null && p.out.signal === null) p.child.kill('SIGKILL');
  await p.done;
}

/** Polls a condition (no fixed sleeps): resolves with its value, or fails naming what never happened. */
export async function until<T>(
  what: string,
  check: () => T | undefined | null | false,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface RecordRow {
  id: number;
  status: string;
  stage: string | null;
  build_id: string | null;
  deploy_history_id: string | null;
  error_message: string | null;
  ended_by: string | null;
}

/** The newest record of the demo repo, read from the file as another process left it. */
export function latestRecord(dbPath: string): RecordRow | undefined {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return db
      .prepare(
        `SELECT id, status, stage, build_id, deploy_history_id, error_message, ended_by FROM deployments
         WHERE requested_by IS NOT ? ORDER BY id DESC LIMIT 1`,
      )
      .get(DEMO_SEEDER) as RecordRow | undefined;
  } finally {
    db.close();
  }
}

/** A database with the demo integration and its history, as the simulator in the test holds them. */
export function seedDatabase(dbPath: string, demo: DemoSeed): void {
  const opened = openDatabase(dbPath, { logger: silentLogger() });
  try {
    seedDemoData(createStores(opened.db), demo);
  } finally {
    opened.close();
  }
}

/** The env that points a child at the simulator in the test process as if it were NCP. */
export const ncpEnv = ncpEnvOf;

/** Notice lines the console printed: started, and every final kind. */
export function notices(stdout: string): { started: number; ended: number; lines: string[] } {
  const lines = stdout.split('\n').filter((l) => /^(▶|✅|❌|🚫|⌛)/u.test(l));
  return {
    started: lines.filter((l) => l.startsWith('▶')).length,
    ended: lines.filter((l) => !l.startsWith('▶')).length,
    lines,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
