import type { BotReply } from '../bot/types.ts';
import { isKlepaasError } from '../domain/errors.ts';
import type { Lang } from '../domain/intent.ts';
import { describeSlackError } from './web-api.ts';

type ErrorReply = Extract<BotReply, { kind: 'error' }>;

/**
 * The one error sink of the Slack front end: whatever was thrown becomes a short message in the person's
 * language with the fix. Stack traces and internal messages stay in the log.
 */
export function failureReply(err: unknown, lang: Lang): ErrorReply {
  if (isKlepaasError(err)) {
    return {
      kind: 'error',
      lang,
      code: err.code,
      message: err.messages[lang],
      hint: err.hint?.[lang] ?? null,
    };
  }
  const slack = describeSlackError(err);
  if (slack?.code === 'not_in_channel' || slack?.code === 'channel_not_found') {
    return {
      kind: 'error',
      lang,
      code: 'SLACK_NOT_IN_CHANNEL',
      message:
        lang === 'ko'
          ? '이 채널에 봇이 없어 글을 쓸 수 없어요.'
          : "I'm not in this channel, so I can't post here.",
      hint: lang === 'ko' ? '`/invite @klepaas` 로 초대해 주세요.' : 'Invite me with `/invite @klepaas`.',
    };
  }
  if (slack?.code === 'slack_webapi_rate_limited_error' || slack?.code === 'ratelimited') {
    return {
      kind: 'error',
      lang,
      code: 'SLACK_RATE_LIMITED',
      message: lang === 'ko' ? 'Slack이 잠시 요청을 막고 있어요.' : 'Slack is rate limiting me right now.',
      hint: lang === 'ko' ? '1분 뒤에 다시 시도해 주세요.' : 'Try again in a minute.',
    };
  }
  return {
    kind: 'error',
    lang,
    code: 'INTERNAL',
    message:
      lang === 'ko'
        ? '문제가 생겨 요청을 처리하지 못했어요.'
        : 'Something went wrong and I could not handle that.',
    hint:
      lang === 'ko'
        ? '잠시 후 다시 시도해 주세요. 계속되면 관리자에게 알려 주세요.'
        : 'Try again in a minute; if it keeps happening, tell an admin.',
  };
}
