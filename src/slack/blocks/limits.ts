/**
 * Slack's Block Kit limits in one table, so every renderer truncates the same way instead of having a
 * message rejected with `invalid_blocks` at run time. Slack counts these in UTF-16 code units (JavaScript's
 * `length`), so a 3,000-emoji line is 6,000 units long, not 3,000.
 * https://docs.slack.dev/reference/block-kit/blocks
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
  /** The confirm dialog's `text` is a plain_text object of at most 300 characters. */
  confirmText: 300,
  confirmButton: 30,
  /** The `text` fallback shown in notifications; Slack truncates past 40,000. */
  fallbackText: 4000,
  /** One field from outside (a commit title, an NCP message) before it is escaped: keeps lines readable. */
  rawField: 300,
} as const;

export type SlackLimit = keyof typeof slackLimits;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest prefix of `text` that is at most `max` UTF-16 units and ends on a grapheme boundary. */
function graphemePrefix(text: string, max: number): string {
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/**
 * Cuts plain text to `max` UTF-16 units, ending with an ellipsis; never splits an emoji, a surrogate pair or
 * a Hangul syllable with its combining marks.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${graphemePrefix(text, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * Moves a cut back until it sits outside every construct Slack parses: an escaped entity (`&amp;`), a
 * mention or link (`<@U1>`, `<url|x>`), an inline code span or a code block. A cut inside one would show
 * `&am`, break the mention, or turn the rest of the message into code.
 */
function safeMrkdwnCut(prefix: string): string {
  let p = prefix;
  for (;;) {
    const amp = p.lastIndexOf('&');
    if (amp >= 0 && !p.slice(amp).includes(';')) {
      p = p.slice(0, amp);
      continue;
    }
    const open = p.lastIndexOf('<');
    if (open > p.lastIndexOf('>')) {
      p = p.slice(0, open);
      continue;
    }
    const fences = p.split('```').length - 1;
    if (fences % 2 === 1) {
      p = p.slice(0, p.lastIndexOf('```'));
      continue;
    }
    const ticks = p.replaceAll('```', '').split('`').length - 1;
    if (ticks % 2 === 1) {
      p = p.slice(0, p.lastIndexOf('`'));
      continue;
    }
    return p;
  }
}

/** Cuts mrkdwn to `max` UTF-16 units, never inside an entity, mention, link or code span; ends with `…`. */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${safeMrkdwnCut(graphemePrefix(text, Math.max(0, max - 1))).trimEnd()}…`;
}

export const limit = (text: string, which: SlackLimit): string => truncateMrkdwn(text, slackLimits[which]);
