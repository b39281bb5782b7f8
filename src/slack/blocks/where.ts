import type { Lang } from '../../domain/intent.ts';
import { channelRef } from '../../domain/people.ts';
import { t } from './format.ts';
import { context, message, type SlackMessage, section } from './kit.ts';

/**
 * Channel ids the bot acts in. Empty means everywhere it is invited; the bot's own DM with a person is
 * always allowed (only the person and the bot are in it). `isBotDm` must mean exactly that: a DM between
 * two people also has a D… id and is not exempt.
 */
export function channelAllowed(
  allowed: readonly string[],
  channel: string | null,
  isBotDm: boolean,
): boolean {
  if (isBotDm || allowed.length === 0) return true;
  return channel !== null && allowed.includes(channel);
}

/** The short answer outside ALLOWED_CHANNELS: where the bot works instead. Nothing else happens. */
export function renderWrongChannel(allowed: readonly string[], lang: Lang): SlackMessage {
  const list = allowed.map(channelRef).join(', ');
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

const invite = '`/invite @klepaas`';

/**
 * The bot cannot post where a request was made (not a member, a DM between other people, archived):
 * no buttons are offered, since nothing could report what they start. The person learns how to fix it.
 */
export function renderCannotPost(channel: string | null, lang: Lang): SlackMessage {
  const where =
    channel && !channel.startsWith('D') ? channelRef(channel) : t(lang, '이 대화', 'this conversation');
  const text = t(
    lang,
    `:no_entry: 봇이 ${where}에 글을 쓸 수 없어서 확인 버튼을 띄우지 않았어요. 아무것도 실행하지 않았습니다.`,
    `:no_entry: I can't post in ${where}, so I did not offer buttons there. Nothing was started.`,
  );
  const fix = t(
    lang,
    `${invite} 로 채널에 초대한 뒤 다시 요청하거나, 저와의 DM에서 요청해 주세요.`,
    `Invite me with ${invite} and ask again, or ask me in a DM.`,
  );
  return message([section(text), section(fix)], `${text} ${fix}`);
}

/** The first line of a reply that went to the person's DM because it could not go where they asked. */
export function dmNote(reason: 'ratelimited' | 'cannot_post', channel: string, lang: Lang): SlackMessage {
  const where = channel.startsWith('D') ? t(lang, '그 대화', 'that conversation') : channelRef(channel);
  const text =
    reason === 'ratelimited'
      ? t(
          lang,
          `:warning: Slack이 ${where}에 보내는 제 메시지를 계속 막고 있어 여기로 보내요.`,
          `:warning: Slack keeps refusing my messages in ${where} (rate limit), so I'm telling you here.`,
        )
      : t(
          lang,
          `:warning: ${where}에 글을 쓸 수 없어 여기로 보내요. ${invite} 로 초대해 주세요.`,
          `:warning: I can't post in ${where}, so I'm telling you here. Invite me with ${invite}.`,
        );
  return message([context(text)], text);
}

/** Slack channel ids of direct messages start with D. */
export const isDmChannel = (channel: string | null | undefined): boolean =>
  typeof channel === 'string' && channel.startsWith('D');
