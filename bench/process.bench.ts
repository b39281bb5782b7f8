import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSlackApi } from '../test/servers/slack-api.ts';
import { goal, machine, pooled } from './stats.ts';

/**
 * The bot as people run it: the console to its first line (what `npm start` shows before it reads a
 * request) and the Slack bot's RSS at rest once /healthz answers, for the compiled build (`npm run build`,
 * what production runs: `node dist/main.js`) and for type stripping (`npm start` in development). Each
 * start is a fresh process on a fresh database; the build is made first so the figures are this tree's.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const TRIALS = Number(process.env.BENCH_PROCESS_TRIALS ?? 5);
const variants = {
  compiled: ['dist/main.js'],
  'type stripping': ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'src/main.ts'],
} as const;

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });

function launch(
  args: readonly string[],
  env: Record<string, string>,
  dir = mkdtempSync(join(tmpdir(), 'klepaas-process-bench-')),
): { child: ChildProcess; dir: string } {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_PATH: join(dir, 'b.db'),
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return { child, dir };
}

async function end(child: ChildProcess, dir: string | null): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Milliseconds from spawn to the console's greeting line, on the database in `dir` (the simulator's too). */
async function toPrompt(args: readonly string[], dir: string): Promise<number> {
  const { child } = launch(args, { LOG_LEVEL: 'warn' }, dir);
  const t0 = performance.now();
  const ms = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('klepaas-bot console')) resolve(performance.now() - t0);
    });
    child.once('exit', (code) => reject(new Error(`console exited ${code} before its greeting`)));
  });
  await end(child, null);
  return ms;
}

const rssMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(line?.[1] ?? Number.NaN) / 1024;
};

/**
 * RSS of the Slack bot 2 s after /healthz first answers 200, configured as production is (HTTP mode, NCP
 * credentials, so no built-in simulator) but without an LLM key or Redis. Nothing calls NCP at rest.
 */
async function slackRest(args: readonly string[], apiUrl: string): Promise<number> {
  const port = await freePort();
  const { child, dir } = launch(args, {
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: 'bench-secret',
    SLACK_API_URL: apiUrl,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    NCP_ACCESS_KEY: 'bench-access',
    NCP_SECRET_KEY: 'bench-secret',
    NCP_SOURCEBUILD_URL: 'http://127.0.0.1:9',
    NCP_SOURCEDEPLOY_URL: 'http://127.0.0.1:9',
    NCP_SOURCECOMMIT_GIT_URL: 'http://127.0.0.1:9',
    NCP_GIT_USERNAME: 'bench',
    NCP_GIT_PASSWORD: 'bench',
  });
  child.stdout?.resume();
  child.stderr?.resume();
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`bot exited ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (i > 600) throw new Error('bot never became healthy');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 2000));
    return rssMb(child.pid ?? 0);
  } finally {
    await end(child, dir);
  }
}

export default async function bench(): Promise<void> {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const api = await startSlackApi();
  try {
    for (const [name, args] of Object.entries(variants)) {
      // The first start on a new database migrates it and seeds the simulator's demo; later ones reuse them.
      const dir = mkdtempSync(join(tmpdir(), 'klepaas-process-bench-'));
      const first = await toPrompt(args, dir);
      const starts: number[] = [];
      for (let i = 0; i < TRIALS; i++) starts.push(await toPrompt(args, dir));
      rmSync(dir, { recursive: true, force: true });
      const rss: number[] = [];
      for (let i = 0; i < Math.min(3, TRIALS); i++) rss.push(await slackRest(args, api.apiUrl));
      const s = pooled([starts]);
      const r = pooled([rss]);
      console.log(
        `process ${name}: console start to greeting p50 ${s.p50.toFixed(0)} ms max ${s.max.toFixed(0)} ms (${s.n} starts; first start on a new database ${first.toFixed(0)} ms); Slack RSS at rest p50 ${r.p50.toFixed(0)} MB max ${r.max.toFixed(0)} MB (${r.n} starts)  [${machine()}]`,
      );
      console.log(goal(`${name}: start to console greeting (p50)`, s.p50, 800, 'ms', 0));
      console.log(goal(`${name}: Slack RSS at rest (max)`, r.max, 110, 'MB', 0));
    }
  } finally {
    await api.stop();
  }
}
