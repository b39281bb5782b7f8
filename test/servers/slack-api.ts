import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  private tsSeq = 0;
  private responseSeq = 0;
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
        const failure = index >= 0 ? (queue.splice(index, 1)[0]?.failure ?? null) : null;
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
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
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
        return { ok: true, channel: body.channel, ts, message: { ...body, ts, user: this.botUserId } };
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
      case 'conversations.info':
        return { ok: true, channel: { id: body.channel, name: 'ops', is_member: true } };
      case 'response_url':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

export async function startSlackApi(): Promise<SlackApiServer> {
  return new SlackApiServer().start();
}
