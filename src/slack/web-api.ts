import type { types, webApi } from '@slack/bolt';
import type { SlackMessage } from './blocks/kit.ts';

type WebClient = webApi.WebClient;
// The renderers' Block type is a strict subset of Block Kit; the SDK's own union is wider, so one cast here
// keeps the SDK's types out of the pure renderers.
type SdkBlocks = (types.KnownBlock | types.Block)[];
const sdkBlocks = (m: SlackMessage): SdkBlocks => m.blocks as unknown as SdkBlocks;

export interface PostTarget {
  readonly channel: string;
  /** Replies go in this thread; null posts at the top of the channel. */
  readonly threadTs?: string | null;
  /** Also show a thread reply in the channel (failures). */
  readonly broadcast?: boolean;
}

/** What went wrong talking to Slack, as a stable code: the API's `error` field, or the SDK's error code. */
export interface SlackFailure {
  readonly code: string;
  readonly retryAfterSec: number | null;
}

/** Raised when Slack kept answering 429 for a channel longer than the pacer waits. */
export class SlackRateLimitedError extends Error {
  readonly code = 'slack_rate_limited_gave_up';
  readonly channel: string;
  readonly waitedMs: number;
  constructor(channel: string, waitedMs: number) {
    super(`Slack kept rate limiting channel ${channel} for ${waitedMs} ms`);
    this.name = 'SlackRateLimitedError';
    this.channel = channel;
    this.waitedMs = waitedMs;
  }
}

// The SDK's message when it gave up retrying 429s (WebAPIRequestError wrapping a plain Error).
const gaveUpOn429 = /rate limit was exceeded.*retry-after: (\d+)/i;

/**
 * Reads the SDK's errors. A 429 arrives as `slack_webapi_rate_limited_error` with `retryAfter` in seconds
 * (rejectRateLimitedCalls), as `ratelimited` in the body, or, when the SDK retried and gave up, as a
 * `slack_webapi_request_error` whose wrapped error says so: all three are a rate limit.
 */
export function describeSlackError(err: unknown): SlackFailure | null {
  if (err instanceof SlackRateLimitedError) return { code: 'ratelimited', retryAfterSec: null };
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; data?: { error?: unknown }; retryAfter?: unknown; original?: unknown };
  if (typeof e.code !== 'string' || !e.code.startsWith('slack_')) return null;
  if (e.code === 'slack_webapi_rate_limited_error') {
    return { code: 'ratelimited', retryAfterSec: typeof e.retryAfter === 'number' ? e.retryAfter : null };
  }
  const apiError = typeof e.data?.error === 'string' ? e.data.error : null;
  if (apiError === 'ratelimited') return { code: 'ratelimited', retryAfterSec: null };
  const wrapped = e.original instanceof Error ? gaveUpOn429.exec(e.original.message) : null;
  if (wrapped) return { code: 'ratelimited', retryAfterSec: Number(wrapped[1]) };
  return { code: apiError ?? e.code, retryAfterSec: null };
}

export const isRateLimited = (err: unknown): boolean => describeSlackError(err)?.code === 'ratelimited';

/** Slack refused because the bot cannot post there: the person must be told another way. */
export const cannotPostHere = (err: unknown): boolean => {
  const code = describeSlackError(err)?.code;
  return code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived';
};

/**
 * chat.postMessage allows about one message per second per channel, with short bursts; Slack answers 429
 * with Retry-After beyond that. https://docs.slack.dev/reference/methods/chat.postMessage
 */
export interface PaceOptions {
  /** One call per channel per this many ms once the burst is spent. */
  readonly intervalMs: number;
  /** Calls a quiet channel may send at once. */
  readonly burst: number;
  /** How long a call may wait on 429s before it fails with SlackRateLimitedError (and the person is told). */
  readonly maxWaitMs: number;
}

export const defaultPace: PaceOptions = { intervalMs: 1000, burst: 3, maxWaitMs: 15_000 };

/**
 * Every message the bot sends goes through here: paced per channel, each channel in its own lane, so a
 * 429 storm in one channel holds only that channel's lane (the SDK's own handling pauses the whole client).
 * Queued edits of the same message coalesce into the latest one.
 */
export interface Poster {
  post(target: PostTarget, msg: SlackMessage): Promise<string>;
  update(where: { readonly channel: string; readonly ts: string }, msg: SlackMessage): Promise<void>;
  ephemeral(
    where: { readonly channel: string; readonly user: string; readonly threadTs?: string | null },
    msg: SlackMessage,
  ): Promise<void>;
  /** Calls waiting in a channel's lane (tests, metrics). */
  pending(channel: string): number;
  /** Resolves when no call is waiting in any lane (shutdown). */
  idle(): Promise<void>;
}

interface Task {
  readonly key: string | null;
  readonly enqueuedAt: number;
  msg: SlackMessage;
  readonly run: (msg: SlackMessage) => Promise<unknown>;
  readonly settle: { resolve: (v: unknown) => void; reject: (e: unknown) => void }[];
}

interface Lane {
  tokens: number;
  refilledAt: number;
  blockedUntil: number;
  readonly queue: Task[];
  running: boolean;
}

export interface PosterOptions {
  readonly pace?: PaceOptions;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Each Web API call as it ends: method, `ok` or Slack's error code, seconds (for /metrics). */
  readonly onCall?: (method: string, result: string, seconds: number) => void;
}

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

export function createPoster(client: WebClient, opts: PosterOptions = {}): Poster {
  const pace = opts.pace ?? defaultPace;
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? realSleep;
  const lanes = new Map<string, Lane>();
  const timed = async <T>(method: string, fn: () => Promise<T>): Promise<T> => {
    if (!opts.onCall) return fn();
    const t0 = performance.now();
    try {
      const out = await fn();
      opts.onCall(method, 'ok', (performance.now() - t0) / 1000);
      return out;
    } catch (err) {
      const data = (err as { data?: { error?: unknown }; code?: unknown }).data;
      const code =
        typeof data?.error === 'string' ? data.error : String((err as { code?: unknown }).code ?? 'error');
      opts.onCall(method, code, (performance.now() - t0) / 1000);
      throw err;
    }
  };
  let idleWaiters: (() => void)[] = [];
  const busy = () => [...lanes.values()].some((l) => l.queue.length > 0 || l.running);
  const settleIdle = () => {
    if (busy()) return;
    const ws = idleWaiters;
    idleWaiters = [];
    for (const w of ws) w();
  };

  const laneOf = (name: string): Lane => {
    let lane = lanes.get(name);
    if (!lane) {
      lane = { tokens: pace.burst, refilledAt: now(), blockedUntil: 0, queue: [], running: false };
      lanes.set(name, lane);
    }
    return lane;
  };

  /** Ms until the lane may send: the Retry-After still running, or the next token. */
  const waitOf = (lane: Lane): number => {
    const t = now();
    lane.tokens = Math.min(pace.burst, lane.tokens + (t - lane.refilledAt) / pace.intervalMs);
    lane.refilledAt = t;
    const blocked = Math.max(0, lane.blockedUntil - t);
    const token = lane.tokens >= 1 ? 0 : Math.ceil((1 - lane.tokens) * pace.intervalMs);
    return Math.max(blocked, token);
  };

  async function drain(name: string, lane: Lane): Promise<void> {
    lane.running = true;
    try {
      for (let task = lane.queue[0]; task; task = lane.queue[0]) {
        const wait = waitOf(lane);
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        lane.tokens -= 1;
        // Started: later edits of the same message queue behind it instead of folding into it.
        const started = { ...task, key: null };
        lane.queue[0] = started;
        try {
          const value = await task.run(started.msg);
          // Slack counts a call when it arrives, we when it leaves: restarting the refill when the answer is
          // in keeps a slow first call (a new connection) from letting the next ones arrive too close.
          lane.refilledAt = now();
          lane.queue.shift();
          for (const s of task.settle) s.resolve(value);
        } catch (err) {
          lane.refilledAt = now();
          const limited = describeSlackError(err);
          if (limited?.code === 'ratelimited') {
            const retryMs = (limited.retryAfterSec ?? 1) * 1000;
            lane.blockedUntil = now() + retryMs;
            const waited = now() - task.enqueuedAt;
            if (waited + retryMs <= pace.maxWaitMs) continue;
            lane.queue.shift();
            const gaveUp = new SlackRateLimitedError(name, waited);
            for (const s of task.settle) s.reject(gaveUp);
            continue;
          }
          lane.queue.shift();
          for (const s of task.settle) s.reject(err);
        }
      }
    } finally {
      lane.running = false;
      settleIdle();
    }
  }

  function enqueue<T>(
    lane: string,
    key: string | null,
    msg: SlackMessage,
    run: (msg: SlackMessage) => Promise<T>,
  ): Promise<T> {
    const l = laneOf(lane);
    return new Promise<T>((resolve, reject) => {
      const settle = { resolve: resolve as (v: unknown) => void, reject };
      const same = key ? l.queue.find((t) => t.key === key) : undefined;
      if (same) {
        // A newer edit of a message whose edit has not gone out yet: send only the newest.
        same.msg = msg;
        same.settle.push(settle);
        return;
      }
      l.queue.push({ key, enqueuedAt: now(), msg, run, settle: [settle] });
      if (!l.running) void drain(lane, l);
    });
  }

  return {
    post(target, msg) {
      return enqueue(target.channel, null, msg, async (m) => {
        const base = {
          channel: target.channel,
          text: m.text,
          blocks: sdkBlocks(m),
          unfurl_links: false,
          unfurl_media: false,
        };
        const res = await timed('chat.postMessage', () =>
          target.threadTs
            ? client.chat.postMessage({
                ...base,
                thread_ts: target.threadTs,
                reply_broadcast: target.broadcast === true,
              })
            : client.chat.postMessage(base),
        );
        return res.ts ?? '';
      });
    },
    update(where, msg) {
      return enqueue(where.channel, `update:${where.ts}`, msg, async (m) => {
        await timed('chat.update', () =>
          client.chat.update({ channel: where.channel, ts: where.ts, text: m.text, blocks: sdkBlocks(m) }),
        );
      });
    },
    ephemeral(where, msg) {
      // Ephemeral messages have their own, per-workspace limit: they never wait behind the channel's posts.
      return enqueue(`ephemeral:${where.channel}`, null, msg, async (m) => {
        await timed('chat.postEphemeral', () =>
          client.chat.postEphemeral({
            channel: where.channel,
            user: where.user,
            text: m.text,
            blocks: sdkBlocks(m),
            ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
          }),
        );
      });
    },
    pending(channel) {
      return lanes.get(channel)?.queue.length ?? 0;
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
  };
}
