import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  /** Filled in as the process writes; `code` once it has exited. */
  readonly run: Run;
  readonly done: Promise<Run>;
}

/** The fields of a stored deployment the CLI tests read from `--json` output. */
export interface DeploymentJson {
  id: number;
  operation: string;
  status: string;
  ncpStatus: string | null;
  buildId: string | null;
  deployHistoryId: string | null;
}

/**
 * `node src/cli/main.ts ...` in `dir` with only the env given (no NCP keys unless `env` sets them, so
 * the built-in simulator), with short phases and polls so a waited deployment ends in about a second.
 */
export function startCli(dir: string, args: readonly string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main, ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_PATH: join(dir, 'k.db'),
      SIM_PHASE_MS: '150',
      POLL_INTERVAL_MS: '100',
      ...env,
    },
    stdio: 'pipe',
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (b: Buffer) => (run.stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (run.stderr += b.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      run.code = code;
      resolve(run);
    });
  });
  return { child, run, done };
}

/** Polls a condition until it holds or the deadline passes. */
export async function waitFor(what: string, ok: () => boolean, deadlineMs = 60_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const json = (r: Run): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;
