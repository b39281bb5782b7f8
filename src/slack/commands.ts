import type { IntentKind } from '../domain/intent.ts';

export const slashCommands = ['/rollback', '/deploy'] as const;
export type SlashCommand = (typeof slashCommands)[number];

const rollbackSubverbs = ['diagnose', 'candidates', 'history', 'status', 'help'] as const;

/**
 * Turns a slash command into what the dispatcher reads. `/rollback diagnose test01` keeps its words and
 * hints diagnose; any other `/rollback` text is parsed with rollback as the hinted verb; `/deploy` hints deploy.
 */
export function commandToMessage(command: SlashCommand, text: string): { text: string; hint: IntentKind } {
  const trimmed = text.trim();
  if (command === '/deploy') return { text: trimmed, hint: trimmed === '' ? 'help' : 'deploy' };
  if (trimmed === '') return { text: 'help', hint: 'help' };
  const first = trimmed.split(/\s+/, 1)[0]?.toLowerCase() ?? '';
  const sub = rollbackSubverbs.find((v) => v === first);
  return sub ? { text: trimmed, hint: sub } : { text: trimmed, hint: 'rollback' };
}

/** Drops mentions of the bot (`<@U123>` or `<@U123|klepaas>`) so the parser sees only the request. */
export function stripBotMention(text: string, botUserId: string | undefined): string {
  const pattern = botUserId
    ? new RegExp(`<@${botUserId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\|[^>]*)?>`, 'g')
    : /^\s*<@[^>|\s]+(\|[^>]*)?>/;
  return text.replace(pattern, ' ').replace(/\s+/g, ' ').trim();
}
