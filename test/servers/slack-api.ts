import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { invalidMessage } from './slack-blocks-check.ts';

/** One request the stand-in received: a Web API method, or a POST to a response_url it handed out. */
export interface SlackApiCall {
  /** `chat.postMessage` etc., or `response_url`. */
  readonly method: string;
  readonly path: string;
  /** Form fields or JSON; form fields holding JSON (blocks, attachments) are parsed too. */
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
  readonly at: number;
  /** Set when the stand-in was scripted to fail this call. */
  readonly failedWith: SlackApiFailure | null;
}

export type SlackApiFailure =
  | { readonly error: string }
  | { readonly status: 429; readonly retryAfterSec: number };

/** A text message the app sent over a Socket Mode connection (an ack: `{ envelope_id, payload }`). */
export interface SocketMessage {
  readonly data: Record<string, unknown>;
  readonly at: number;
}

interface Waiter {
  readonly match: (c: SlackApiCall) => boolean;
  readonly resolve: (c: SlackApiCall) => void;
}

const jsonFields = new Set(['blocks', 'attachments', 'metadata']);

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (jsonFields.has(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // Not JSON after all: keep the raw string so the test sees what was sent.
      }
    }
    out[k] = v;
  }
  return out;
}

// RFC 6455 framing, just what Socket Mode uses: text frames, ping/pong and the close handshake.
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

function wsFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), Buffer.alloc(8)]);
  if (len >= 65536) head.writeBigUInt64BE(BigInt(len), 2);
  return Buffer.concat([head, payload]);
}

/** Splits complete client frames (always masked) off the front of `buf`; returns them and the rest. */
function wsReadFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let off = 0;
  while (buf.length - off >= 2) {
    const b0 = buf[off] ?? 0;
    const b1 = buf[off + 1] ?? 0;
    let len = b1 & 0x7f;
    let pos = off + 2;
    if (len === 126) {
      if (buf.length < pos + 2) break;
      len = buf.readUInt16BE(pos);
      pos += 2;
    } else if (len === 127) {
      if (buf.length < pos + 8) break;
      len = Number(buf.readBigUInt64BE(pos));
      pos += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const end = pos + (masked ? 4 : 0) + len;
    if (buf.length < end) break;
    const mask = masked ? buf.subarray(pos, pos + 4) : null;
    const payload = Buffer.from(buf.subarray(end - len, end));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
    frames.push({ opcode: b0 & 0x0f, payload });
    off = end;
  }
  return { frames, rest: buf.subarray(off) };
}

/**
 * A Slack Web API stand-in on 127.0.0.1: answers the methods the bot uses, records every call, can be told
 * to fail the next calls of a method, and lets a test wait for a call matching a predicate.
 */
export class SlackApiServer {
  readonly calls: SlackApiCall[] = [];
  readonly botUserId = 'U_BOT';
  readonly botId = 'B_BOT';
  private readonly server: Server;
  private readonly failures = new Map<
    string,
    { failure: SlackApiFailure; match: (c: SlackApiCall) => boolean }[]
  >();
  private readonly waiters = new Set<Waiter>();
  /** Messages apps sent over Socket Mode connections, in arrival order. */
  readonly socketMessages: SocketMessage[] = [];
  /** Socket Mode connections that are open (handshake done, not closed). */
  readonly sockets = new Set<Socket>();
  private readonly socketWaiters = new Set<{
    match: (m: SocketMessage) => boolean;
    resolve: (m: SocketMessage) => void;
  }>();
  private tsSeq = 0;
  private responseSeq = 0;
  private socketSeq = 0;
  private base = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const method = path.startsWith('/api/') ? (path.slice(5).split('?')[0] ?? '') : 'response_url';
        let body: Record<string, unknown>;
        try {
          body = parseBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
        } catch {
          res.writeHead(400).end();
          return;
        }
        const queue = this.failures.get(method) ?? [];
        const probe = { method, path, body, headers: req.headers, at: Date.now(), failedWith: null };
        const index = queue.findIndex((f) => f.match(probe));
        const failure =
          index >= 0 ? (queue.splice(index, 1)[0]?.failure ?? null) : this.enforce(method, body);
        const call: SlackApiCall = { ...probe, failedWith: failure };
        this.calls.push(call);
        for (const w of this.waiters) {
          if (w.match(call)) {
            this.waiters.delete(w);
            w.resolve(call);
          }
        }
        if (failure && 'status' in failure) {
          res.writeHead(429, {
            'retry-after': String(failure.retryAfterSec),
            'content-type': 'application/json',
          });
          res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
          return;
        }
        const answer = failure ? { ok: false, error: failure.error } : this.answer(method, body);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    this.server.on('upgrade', (req, socket: Socket) => this.acceptSocket(req.url ?? '', req.headers, socket));
  }

  /** Completes the WebSocket handshake for a URL `apps.connections.open` handed out, then says hello. */
  private acceptSocket(url: string, headers: IncomingHttpHeaders, socket: Socket): void {
    const key = headers['sec-websocket-key'];
    if (!url.startsWith('/socket-mode/') || typeof key !== 'string') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const accept = createHash('sha1')
      .update(key + WS_GUID)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => this.sockets.delete(socket));
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest } = wsReadFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const f of frames) {
        if (f.opcode === OP_PING) socket.write(wsFrame(OP_PONG, f.payload));
        else if (f.opcode === OP_CLOSE) {
          // Echo the close frame, as a server completing the handshake does, then hang up.
          socket.end(wsFrame(OP_CLOSE, f.payload.subarray(0, 2)));
          this.sockets.delete(socket);
        } else if (f.opcode === OP_TEXT) this.receiveSocketMessage(f.payload.toString('utf8'));
      }
    });
    const hello = { type: 'hello', num_connections: 1, debug_info: { host: 'stand-in' } };
    socket.write(wsFrame(OP_TEXT, Buffer.from(JSON.stringify(hello))));
  }

  private receiveSocketMessage(text: string): void {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(text) as Record<string, unknown>;
    } catch {
      data = { unparsed: text };
    }
    const msg: SocketMessage = { data, at: Date.now() };
    this.socketMessages.push(msg);
    for (const w of this.socketWaiters) {
      if (w.match(msg)) {
        this.socketWaiters.delete(w);
        w.resolve(msg);
      }
    }
  }

  /** Sends a Socket Mode message (an envelope, or `disconnect`) to every open connection. */
  socketSend(message: object): void {
    const frame = wsFrame(OP_TEXT, Buffer.from(JSON.stringify(message)));
    for (const s of this.sockets) s.write(frame);
  }

  /** Resolves with the first message the app sent over a socket that matches; rejects after the deadline. */
  waitForSocketMessage(match: (m: SocketMessage) => boolean, timeoutMs = 5000): Promise<SocketMessage> {
    const seen = this.socketMessages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: SocketMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.socketWaiters.delete(waiter);
        reject(new Error(`no matching Socket Mode message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.socketWaiters.add(waiter);
    });
  }

  async start(listenPort = 0): Promise<this> {
    this.server.listen(listenPort, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The base URL to give the app as SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A fresh response_url, as Slack puts in each slash command and interaction. */
  responseUrl(): string {
    this.responseSeq += 1;
    return `${this.base}/response/${this.responseSeq}`;
  }

  /**
   * The next `times` calls of `method` (those `match` accepts) fail: a Slack error such as `not_in_channel`,
   * or a 429 with Retry-After.
   */
  failNext(
    method: string,
    failure: SlackApiFailure,
    times = 1,
    match: (c: SlackApiCall) => boolean = () => true,
  ): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push({ failure, match });
    this.failures.set(method, list);
  }

  callsOf(method: string): SlackApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (already received or coming) that matches; rejects after the deadline. */
  waitFor(match: (c: SlackApiCall) => boolean, timeoutMs = 5000): Promise<SlackApiCall> {
    const seen = this.calls.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seenMethods = this.calls.map((c) => c.method).join(', ');
        reject(
          new Error(
            `no matching Slack API call within ${timeoutMs} ms (calls so far: ${seenMethods || 'none'})`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Channels the bot is not a member of: posting there fails with `not_in_channel`, as on Slack. */
  readonly notMember = new Set<string>();
  /** D… channels that are DMs between people (not with the bot): the bot cannot see them at all. */
  readonly othersDms = new Set<string>();
  /** Channels in a 429 storm: every chat.* call there gets 429 with this Retry-After until cleared. */
  readonly storms = new Map<string, number>();
  /** Slack's per-channel message pace (about 1/s with short bursts), when a test turns it on. */
  private pace: { intervalMs: number; burst: number } | null = null;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Enforces a per-channel pace on chat.postMessage: a post beyond it gets 429, Retry-After 1. */
  enforcePace(pace: { intervalMs: number; burst: number } | null): void {
    this.pace = pace;
    this.buckets.clear();
  }

  /** The DM a post to a user id opens (the app's Messages tab with that person). */
  dmOf(user: string): string {
    return `D${user}`;
  }

  private enforce(method: string, body: Record<string, unknown>): SlackApiFailure | null {
    if (method.startsWith('chat.') || method === 'response_url') {
      const invalid = invalidMessage(body);
      if (invalid) return { error: invalid };
    }
    if (!method.startsWith('chat.') && method !== 'conversations.info') return null;
    const raw = typeof body.channel === 'string' ? body.channel : '';
    const channel = /^[UW]/.test(raw) ? this.dmOf(raw) : raw;
    if (method === 'conversations.info')
      return this.othersDms.has(channel) ? { error: 'channel_not_found' } : null;
    if (this.othersDms.has(channel)) return { error: 'channel_not_found' };
    if (this.notMember.has(channel)) return { error: 'not_in_channel' };
    const storm = this.storms.get(channel);
    if (storm !== undefined) return { status: 429, retryAfterSec: storm };
    if (this.pace && method === 'chat.postMessage') {
      const now = Date.now();
      const b = this.buckets.get(channel) ?? { tokens: this.pace.burst, at: now };
      b.tokens = Math.min(this.pace.burst, b.tokens + (now - b.at) / this.pace.intervalMs);
      b.at = now;
      this.buckets.set(channel, b);
      if (b.tokens < 1) return { status: 429, retryAfterSec: 1 };
      b.tokens -= 1;
    }
    return null;
  }

  private nextTs(): string {
    this.tsSeq += 1;
    return `1700000100.${String(this.tsSeq).padStart(6, '0')}`;
  }

  private answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://klepaas.slack.com/',
          team: 'K-Le-PaaS',
          user: 'klepaas',
          team_id: 'T_TEAM',
          user_id: this.botUserId,
          bot_id: this.botId,
        };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        const raw = String(body.channel);
        const channel = /^[UW]/.test(raw) ? this.dmOf(raw) : raw;
        return { ok: true, channel, ts, message: { ...body, ts, user: this.botUserId } };
      }
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'users.info':
        return {
          ok: true,
          user: { id: body.user, name: String(body.user).toLowerCase(), tz: 'Asia/Seoul', locale: 'ko-KR' },
        };
      case 'conversations.info': {
        const id = String(body.channel);
        if (id.startsWith('D')) return { ok: true, channel: { id, is_im: true, user: id.slice(1) } };
        return { ok: true, channel: { id, name: 'ops', is_member: !this.notMember.has(id) } };
      }
      case 'apps.connections.open':
        this.socketSeq += 1;
        return { ok: true, url: `${this.base.replace('http:', 'ws:')}/socket-mode/${this.socketSeq}` };
      case 'response_url':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** `port` 0 picks a free one; a fixed port lets a test start Slack after the bot (Slack unreachable at first). */
export async function startSlackApi(port = 0): Promise<SlackApiServer> {
  return new SlackApiServer().start(port);
}
