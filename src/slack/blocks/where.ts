import type { Lang } from '../../domain/intent.ts';
import { t } from './format.ts';
import { context, message, type SlackMessage, section } from './kit.ts';

/**
 * Channel ids the bot acts in. Empty means everywhere it is invited; a direct message with the bot is
 * always allowed (only the person and the bot are in it).
 */
export function channelAllowed(allowed: readonly string[], channel: string | null, isDm: boolean): boolean {
  if (isDm || allowed.length === 0) return true;
  return channel !== null && allowed.includes(channel);
}

/** The short answer outside ALLOWED_CHANNELS: where the bot works instead. Nothing else happens. */
export function renderWrongChannel(allowed: readonly string[], lang: Lang): SlackMessage {
  const list = allowed.map((c) => `<#${c}>`).join(', ');
  const text = t(
    lang,
    `:no_entry: 이 채널에서는 동작하지 않아요. ${list} 채널이나 DM으로 요청해 주세요.`,
    `:no_entry: I don't work in this channel. Ask me in ${list} or in a DM.`,
  );
  return message(
    [
      section(text),
      context(
        t(
          lang,
          '관리자가 ALLOWED_CHANNELS 로 정한 채널이에요.',
          'Channels are set by an admin in ALLOWED_CHANNELS.',
        ),
      ),
    ],
    text,
  );
}

/** Slack channel ids of direct messages start with D. */
export const isDmChannel = (channel: string | null | undefined): boolean =>
  typeof channel === 'string' && channel.startsWith('D');
