import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type SlackApiServer, startSlackApi } from '../servers/slack-api.ts';

// Slack down when the bot starts: it must wait for Slack (backoff), say "degraded" on /healthz meanwhile,
// and run once Slack answers — not crash with a stack trace.
const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'klepaas-slackdown-'));
let api: SlackApiServer | null = null;
afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

async function healthz(port: number): Promise<{ status: number; body: Record<string, unknown> } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return null;
  }
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Slack unreachable at start', () => {
  it('retries with backoff, /healthz says degraded, then the app runs once Slack answers', async () => {
    const [botPort, slackPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', mainTs], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_PATH: join(dir, 'k.db'),
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
        PORT: String(botPort),
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const degraded = await until('a degraded /healthz', async () => {
        const h = await healthz(botPort);
        return h && h.status === 503 ? h : null;
      });
      expect(degraded.body).toMatchObject({ ok: false, status: 'degraded' });
      expect(String(degraded.body.reason)).toMatch(/Slack unreachable.*ECONNREFUSED/);
      // Let it fail a few times: it keeps running and keeps its answers short.
      await until('a second attempt', async () =>
        (out.match(/Slack unreachable; retrying/g)?.length ?? 0) >= 2 ? true : null,
      );
      expect(child.exitCode).toBeNull();

      api = await startSlackApi(slackPort);
      const up = await until('/healthz ok', async () => {
        const h = await healthz(botPort);
        return h && h.status === 200 ? h : null;
      });
      expect(up.body).toEqual({ ok: true });
      expect(api.calls.some((c) => c.method === 'auth.test')).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).not.toMatch(/\n\s+at |Unhandled|WebAPIRequestError/);
    // Backoff: a handful of attempts in these seconds, not a tight loop.
    expect(out.match(/Slack unreachable; retrying/g)?.length ?? 0).toBeLessThan(8);
  }, 60_000);

  it('stops cleanly on SIGTERM while still waiting for Slack', async () => {
    const [botPort, slackPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', mainTs], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_PATH: join(dir, 'sigterm.db'),
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_APP_TOKEN: 'xapp-test-token',
        SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
        PORT: String(botPort),
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await until('a degraded /healthz', async () => ((await healthz(botPort))?.status === 503 ? true : null));
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await healthz(botPort)).toBeNull();
  }, 30_000);

  it('a token Slack refuses stops the bot with one line naming SLACK_BOT_TOKEN', async () => {
    const refusing = await startSlackApi();
    refusing.failNext('auth.test', { error: 'invalid_auth' }, 5);
    try {
      const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', mainTs], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_PATH: join(dir, 'refused.db'),
          SLACK_BOT_TOKEN: 'xoxb-revoked',
          SLACK_SIGNING_SECRET: 'secret',
          SLACK_API_URL: refusing.apiUrl,
          PORT: '0',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      clearTimeout(timer);
      expect(code).toBe(1);
      expect(err).toMatch(
        /klepaas-bot cannot start:\n {2}SLACK_BOT_TOKEN: Slack refused the token \(invalid_auth\)/,
      );
      expect(err).not.toMatch(/\n\s+at /);
    } finally {
      await refusing.stop();
    }
  }, 30_000);
});
