/**
 * Slack's Block Kit limits in one table, so every renderer truncates the same way instead of having a
 * message rejected with `invalid_blocks` at run time.
 * https://api.slack.com/reference/block-kit/blocks
 */
export const slackLimits = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** The `text` fallback shown in notifications; Slack truncates past 40,000. */
  fallbackText: 4000,
} as const;

export type SlackLimit = keyof typeof slackLimits;

/** Cuts `text` to `max` characters (code points, so Hangul and emoji are never split), ending with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export const limit = (text: string, which: SlackLimit): string => truncate(text, slackLimits[which]);
