import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run as runMain } from '../../src/cli/main.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  /** Filled in as the command writes; `code` once it has exited. */
  readonly run: Run;
  readonly done: Promise<Run>;
}

export interface Spawned extends Started {
  readonly child: ChildProcessWithoutNullStreams;
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
 * Only the env given (no NCP keys unless `env` sets them, so the built-in simulator), the database in
 * `dir`, short phases and polls so a waited deployment ends in about a second.
 */
function cliEnv(dir: string, env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_PATH: join(dir, 'k.db'),
    SIM_PHASE_MS: '150',
    POLL_INTERVAL_MS: '100',
    ...env,
  };
}

/**
 * `klepaas-bot ...` run inside this process through `run(argv, io, env)`: the same code path as the
 * program after its argv and `.env` are read, without a node start per command.
 */
export function startCli(
  dir: string,
  args: readonly string[],
  env: Record<string, string> = {},
  input = '',
): Started {
  const run: Run = { code: null, stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (b: Buffer) => (run.stdout += b.toString()));
  stderr.on('data', (b: Buffer) => (run.stderr += b.toString()));
  const stdin = Readable.from(input ? [input] : []);
  const done = runMain(args, { stdin, stdout, stderr }, cliEnv(dir, env)).then((code) => {
    run.code = code;
    return run;
  });
  return { run, done };
}

/** `node src/cli/main.ts ...` as its own process in `dir`: for what only a process has (signals, exit). */
export function spawnCli(dir: string, args: readonly string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main, ...args], {
    cwd: dir,
    env: cliEnv(dir, env),
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

export const json = (r: Run): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;
