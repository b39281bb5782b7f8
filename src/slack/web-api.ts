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

/** Posts a rendered message; returns its ts so it can be updated in place later (progress notices). */
export async function postMessage(client: WebClient, target: PostTarget, msg: SlackMessage): Promise<string> {
  const base = {
    channel: target.channel,
    text: msg.text,
    blocks: sdkBlocks(msg),
    unfurl_links: false,
    unfurl_media: false,
  };
  const res = target.threadTs
    ? await client.chat.postMessage({
        ...base,
        thread_ts: target.threadTs,
        reply_broadcast: target.broadcast === true,
      })
    : await client.chat.postMessage(base);
  return res.ts ?? '';
}

export async function updateMessage(
  client: WebClient,
  where: { readonly channel: string; readonly ts: string },
  msg: SlackMessage,
): Promise<void> {
  await client.chat.update({ channel: where.channel, ts: where.ts, text: msg.text, blocks: sdkBlocks(msg) });
}

export async function postEphemeral(
  client: WebClient,
  where: { readonly channel: string; readonly user: string; readonly threadTs?: string | null },
  msg: SlackMessage,
): Promise<void> {
  await client.chat.postEphemeral({
    channel: where.channel,
    user: where.user,
    text: msg.text,
    blocks: sdkBlocks(msg),
    ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
  });
}

/** What went wrong talking to Slack, as a stable code: the API's `error` field, or the SDK's error code. */
export interface SlackFailure {
  readonly code: string;
  readonly retryAfterSec: number | null;
}

export function describeSlackError(err: unknown): SlackFailure | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; data?: { error?: unknown }; retryAfter?: unknown };
  if (typeof e.code !== 'string' || !e.code.startsWith('slack_')) return null;
  const apiError = typeof e.data?.error === 'string' ? e.data.error : null;
  return {
    code: apiError ?? e.code,
    retryAfterSec: typeof e.retryAfter === 'number' ? e.retryAfter : null,
  };
}

/** Slack refused because the bot cannot post there: answer through response_url instead. */
export const cannotPostHere = (err: unknown): boolean => {
  const code = describeSlackError(err)?.code;
  return code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived';
};
