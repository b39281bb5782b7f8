import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.ts';
import { createStores } from '../../src/db/stores.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { type NcpSimulator, ncpEnvOf, startNcpSimulator } from '../../src/ncp/simulator/index.ts';
import { seedDemoData } from '../../src/runtime/seed-demo.ts';
import { type Run, startCli } from '../support/cli.ts';

// Settings that cannot work must stop the start at once with a line naming the variable: no hang, no
// stack trace, nothing begun on NCP.
const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'klepaas-startfail-'));
let sim: NcpSimulator;
let ncpEnv: Record<string, string>;
let closedPort: number;

beforeAll(async () => {
  sim = await startNcpSimulator({ phaseMs: 150 });
  const demo = await sim.seedDemo();
  const opened = openDatabase(join(dir, 'ncp.db'), { logger: silentLogger() });
  seedDemoData(createStores(opened.db), demo);
  opened.close();
  ncpEnv = { DATABASE_PATH: join(dir, 'ncp.db'), ...ncpEnvOf(sim) };
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `node src/main.ts` (npm start) with stdin closed; killed if it outlives `limitMs`. */
function startBot(env: Record<string, string>, limitMs = 20_000): Promise<Run & { ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', mainTs], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (b: Buffer) => (run.stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (run.stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ...run, code, ms: Date.now() - t0 });
    });
  });
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
const noStack = /\n\s+at |INTERNAL|Error:/;

describe('REDIS_URL pointing at a closed port', () => {
  it('the CLI stops within the connect wait with one line naming REDIS_URL, before any NCP call', async () => {
    const t0 = Date.now();
    const run = await startCli(dir, ['rollback', 'K-Le-PaaS/test01', '--yes'], {
      ...ncpEnv,
      REDIS_URL: `redis://:hunter2@127.0.0.1:${closedPort}`,
    }).done;
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(run.code).toBe(1);
    expect(lines(run.stderr), run.stderr).toHaveLength(1);
    expect(run.stderr).toMatch(/REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: Redis did not answer/);
    expect(run.stderr).not.toContain('hunter2');
    expect(run.stderr).not.toMatch(noStack);
    // Nothing was begun on NCP, so nothing can be left unrecorded.
    expect(sim.calls).toHaveLength(0);
  });

  it('a Redis that accepts the connection but never answers is given up on after the wait', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      const t0 = Date.now();
      const run = await startCli(dir, ['history', 'K-Le-PaaS/test01'], {
        ...ncpEnv,
        REDIS_URL: `redis://127.0.0.1:${port}`,
      }).done;
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(run.code).toBe(1);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(/REDIS_URL=redis:\/\/127\.0\.0\.1:\d+: Redis did not answer/);
    } finally {
      silent.close();
    }
  });

  it('npm start stops the same way instead of retrying with stack traces', async () => {
    const run = await startBot({
      DATABASE_PATH: join(dir, 'redis.db'),
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
    });
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(15_000);
    expect(lines(run.stderr)).toEqual([
      'klepaas-bot cannot start:',
      expect.stringMatching(/^ {2}REDIS_URL=redis:\/\/127\.0\.0\.1:\d+: Redis did not answer \(ECONNREFUSED/),
    ]);
  });
});

describe('DATABASE_PATH that cannot be used', () => {
  const file = join(dir, 'not-a-folder');
  beforeAll(() => writeFileSync(file, 'plain file'));

  for (const [what, path] of [
    ['a folder', '/'],
    ['under a file', join(file, 'k.db')],
    ['not a database', file],
  ] as const) {
    it(`${what}: both the bot and the CLI name DATABASE_PATH`, async () => {
      const bot = await startBot({ DATABASE_PATH: path });
      expect(bot.code).toBe(1);
      expect(bot.stderr).toMatch(/^klepaas-bot cannot start:\n {2}DATABASE_PATH=/);
      expect(bot.stderr).not.toMatch(noStack);
      const cli = await startCli(dir, ['history', 'K-Le-PaaS/test01'], { DATABASE_PATH: path }).done;
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/^STORAGE_FAILED: DATABASE_PATH=/);
      expect(cli.stderr).not.toMatch(noStack);
    });
  }
});

describe('configuration mistakes in the CLI', () => {
  it('are told as settings to fix, not as internal errors', async () => {
    const run = await startCli(dir, ['history', 'K-Le-PaaS/test01', '--json'], {
      DATABASE_PATH: join(dir, 'cfg.db'),
      POLL_INTERVAL_MS: 'soon',
      DISPLAY_TIMEZONE: 'Mars/Olympus',
    }).done;
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(noStack);
    expect(run.stderr).toMatch(/POLL_INTERVAL_MS: must be a whole number/);
    expect(run.stderr).toMatch(/DISPLAY_TIMEZONE: must be an IANA time zone/);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
  });
});
