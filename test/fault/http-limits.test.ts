import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.ts';
import { createSlackApp, defaultHttpLimits, type SlackApp } from '../../src/slack/app.ts';
import { startSlackApi } from '../servers/slack-api.ts';
import { memoryEventLog } from '../support/memory-event-log.ts';
import { scriptedDispatcher } from '../support/scripted-dispatcher.ts';

// The HTTP endpoint (/slack/events, /healthz) under idle and slow connections, on loopback. The limits
// are shortened so the test is quick; the production values only scale them.
const limits = {
  headersTimeoutMs: 800,
  requestTimeoutMs: 1500,
  keepAliveTimeoutMs: 500,
  idleTimeoutMs: 3000,
  maxConnections: 300,
  bodyLimitBytes: 64 * 1024,
};

let api: Awaited<ReturnType<typeof startSlackApi>>;
let slack: SlackApp;
let port: number;

beforeAll(async () => {
  api = await startSlackApi();
  slack = createSlackApp({
    config: {
      botToken: 'xoxb-test-token',
      signingSecret: 'secret',
      appToken: undefined,
      apiUrl: api.apiUrl,
      port: 0,
      allowedChannels: [],
      approvers: [],
      confirmTtlMs: 600_000,
    },
    dispatcher: scriptedDispatcher().dispatcher,
    eventLog: memoryEventLog(),
    logger: silentLogger(),
    httpLimits: limits,
  });
  ({ port } = (await slack.start()) as { port: number });
});
afterAll(async () => {
  await slack?.stop();
  await api?.stop();
});

/** A TCP connection that sends nothing; resolves `closed` when the server ends it. */
function idle(): { socket: Socket; opened: Promise<void>; closed: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  // Read whatever comes (a 408), so the server's close is seen.
  socket.resume();
  const t0 = Date.now();
  return {
    socket,
    opened: new Promise((r) => socket.once('connect', () => r())),
    closed: new Promise((r) => socket.once('close', () => r(Date.now() - t0))),
  };
}

const healthz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

describe('HTTP endpoint limits', () => {
  it('production limits are set: timeouts, a connection cap and a body limit', () => {
    expect(defaultHttpLimits.headersTimeoutMs).toBeLessThanOrEqual(5_000);
    expect(defaultHttpLimits.maxConnections).toBeGreaterThan(0);
    expect(defaultHttpLimits.bodyLimitBytes).toBeLessThanOrEqual(1024 * 1024);
  });

  it('many idle connections are refused past the cap and dropped after the headers timeout; /healthz stays up', async () => {
    const flood = Array.from({ length: 900 }, idle);
    await Promise.all(flood.map((c) => Promise.race([c.opened, c.closed])));
    const lifetimes = await Promise.all(
      flood.map((c) =>
        Promise.race([
          c.closed,
          new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 8000)),
        ]),
      ),
    );
    for (const c of flood) c.socket.destroy();
    // Every idle connection was closed by the server, none left holding a slot.
    expect(lifetimes.filter((ms) => ms === Number.POSITIVE_INFINITY)).toHaveLength(0);
    // Those past the cap went at once (how many arrive together depends on the listen backlog, 511 by
    // default); the others lived about the headers timeout, not minutes.
    expect(lifetimes.filter((ms) => ms < limits.headersTimeoutMs / 2).length).toBeGreaterThan(100);
    expect(Math.max(...lifetimes)).toBeLessThan(limits.headersTimeoutMs + 3000);
    expect(await healthz()).toBe(200);
  }, 20_000);

  it('a client dribbling its headers is cut off by the headers timeout', async () => {
    const c = idle();
    await c.opened;
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => {
      if (!c.socket.destroyed) c.socket.write('X-A: b\r\n');
    }, 100);
    const lived = await c.closed;
    clearInterval(drip);
    expect(lived).toBeLessThan(limits.headersTimeoutMs + 2000);
    expect(await healthz()).toBe(200);
  });

  it('a kept-alive connection with nothing more to ask is closed after the keep-alive timeout', async () => {
    const c = idle();
    await c.opened;
    let reply = '';
    c.socket.on('data', (b: Buffer) => (reply += b.toString()));
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const lived = await c.closed;
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(lived).toBeLessThan(limits.keepAliveTimeoutMs + 2000);
  });

  it('a body over the limit is refused with 413 before it is read', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(limits.bodyLimitBytes * 2) }),
    });
    expect(res.status).toBe(413);
    expect(await healthz()).toBe(200);
  });
});
