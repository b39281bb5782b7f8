import { liveRefs, personRef, withoutRefMarkers } from '../../domain/people.ts';
import { limit, slackLimits, truncate, truncateMrkdwn } from './limits.ts';

// A small typed subset of Block Kit: only what the renderers use. Kept here instead of importing the SDK's
// types so the renderers stay pure (they import only domain and zod).

export interface TextObject {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
  /** mrkdwn only: true stops Slack from auto-linking bare URLs, `#channel` names and `@name` words. */
  readonly verbatim?: boolean;
}

export interface ConfirmDialog {
  readonly title: TextObject;
  readonly text: TextObject;
  readonly confirm: TextObject;
  readonly deny: TextObject;
  readonly style?: 'primary' | 'danger';
}

export interface ButtonElement {
  readonly type: 'button';
  readonly text: TextObject;
  readonly action_id: string;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: ConfirmDialog;
}

export type Block =
  | { readonly type: 'header'; readonly text: TextObject; readonly block_id?: string }
  | {
      readonly type: 'section';
      readonly text?: TextObject;
      readonly fields?: readonly TextObject[];
      readonly accessory?: ButtonElement;
      readonly block_id?: string;
    }
  | { readonly type: 'context'; readonly elements: readonly TextObject[]; readonly block_id?: string }
  | { readonly type: 'actions'; readonly elements: readonly ButtonElement[]; readonly block_id?: string }
  | { readonly type: 'divider'; readonly block_id?: string };

/** What every renderer returns: the blocks and the plain-text fallback for notifications and old clients. */
export interface SlackMessage {
  readonly blocks: readonly Block[];
  readonly text: string;
}

const escapeMrkdwn = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The one way text from outside (repo, ref, commit message, NCP or git error, what a person typed) enters
 * mrkdwn: cut to `max` UTF-16 units while still raw (so the cut never lands inside an entity), then the three
 * characters Slack parses escaped. Mentions are added after this, never inside it.
 */
export const esc = (raw: string, max: number = slackLimits.rawField): string =>
  escapeMrkdwn(balancedTicks(truncate(withoutRefMarkers(raw), max)));

/**
 * Backticks from outside stay when they pair up (`code` in a commit title); an odd one would turn the rest
 * of the message into code, so then they all become a look-alike that Slack does not parse.
 */
function balancedTicks(s: string): string {
  const fences = s.split('```').length - 1;
  const ticks = s.replaceAll('```', '').split('`').length - 1;
  return fences % 2 === 0 && ticks % 2 === 0 ? s : s.replace(/`/g, 'ˋ');
}

/**
 * Text composed by the bot that names people with `personRef` (notice lines, refusals): escaped as a whole,
 * then each reference made a live mention. Pieces from outside were stripped of reference markers when the
 * text was composed.
 */
export const escWithRefs = (composed: string, max: number = slackLimits.fallbackText): string =>
  liveRefs(escapeMrkdwn(balancedTicks(truncate(composed, max))));

/** A piece from outside inside a raw fallback `text`: cut, and unable to forge a `personRef`. */
export const outside = (raw: string | null | undefined, max: number = slackLimits.rawField): string =>
  truncate(withoutRefMarkers(raw ?? ''), max);

/** An inline code span of text from outside: escaped, and no backtick inside to end the span early. */
export const code = (raw: string, max: number = slackLimits.rawField): string =>
  `\`${esc(raw, max).replace(/`/g, 'ˋ').replace(/\n/g, ' ')}\``;

/**
 * Slack's own copy of a message we sent (an action payload's `message.text`) back to raw text for a new
 * fallback: mentions become person references again and the entities plain characters, so `message` escapes
 * it once, not twice.
 */
export const fromSlackText = (text: string): string =>
  text
    .replace(/<@([UW][A-Z0-9_]+)(\|[^>]*)?>/g, (_m, id: string) => personRef(id))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** A live mention, for mrkdwn that is already escaped. */
export const mention = (user: string | null): string =>
  user && /^[UW][A-Z0-9_]+$/.test(user) ? `<@${user}>` : '';

// Every mrkdwn object is verbatim: what we want linked we write as `<...>`; nothing else is linked.
// References left in composed mrkdwn are ours: `esc` strips markers from anything that came from outside.
const mrkdwn = (text: string, which: 'sectionText' | 'fieldText' | 'contextText'): TextObject => ({
  type: 'mrkdwn',
  text: limit(liveRefs(text), which),
  verbatim: true,
});

export const md = (text: string): TextObject => mrkdwn(text, 'sectionText');
export const plain = (text: string, max: number = slackLimits.sectionText): TextObject => ({
  type: 'plain_text',
  text: truncate(withoutRefMarkers(text), max),
  emoji: true,
});

export const header = (text: string): Block => ({
  type: 'header',
  text: plain(text, slackLimits.headerText),
});
export const section = (text: string, accessory?: ButtonElement): Block =>
  accessory ? { type: 'section', text: md(text), accessory } : { type: 'section', text: md(text) };
export const fields = (items: readonly string[]): Block => ({
  type: 'section',
  fields: items.slice(0, slackLimits.sectionFields).map((t) => mrkdwn(t, 'fieldText')),
});
export const context = (...texts: readonly string[]): Block => ({
  type: 'context',
  elements: texts
    .filter(Boolean)
    .slice(0, slackLimits.contextElements)
    .map((t) => mrkdwn(t, 'contextText')),
});
export const actions = (blockId: string, elements: readonly ButtonElement[]): Block => ({
  type: 'actions',
  block_id: blockId,
  elements: elements.slice(0, slackLimits.actionsElements),
});

export function button(opts: {
  text: string;
  actionId: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}): ButtonElement {
  if (opts.value.length > slackLimits.buttonValue) {
    // A cut value would point at the wrong thing; failing loudly in tests beats a silent wrong action.
    throw new RangeError(`button value longer than ${slackLimits.buttonValue} characters`);
  }
  return {
    type: 'button',
    text: plain(opts.text, slackLimits.buttonText),
    action_id: truncate(opts.actionId, slackLimits.actionId),
    value: opts.value,
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.confirm ? { confirm: opts.confirm } : {}),
  };
}

export function confirmDialog(opts: {
  title: string;
  text: string;
  confirm: string;
  deny: string;
  style?: 'primary' | 'danger';
}): ConfirmDialog {
  return {
    title: plain(opts.title, slackLimits.confirmTitle),
    // Slack defines the dialog text as plain_text: no markup, nothing linked, at most 300 characters.
    text: plain(opts.text, slackLimits.confirmText),
    confirm: plain(opts.confirm, slackLimits.confirmButton),
    deny: plain(opts.deny, slackLimits.confirmButton),
    ...(opts.style ? { style: opts.style } : {}),
  };
}

/**
 * Applies the per-message limits last, so every renderer's output is valid whatever the data size. `text`
 * is the raw fallback (notifications, screen readers, old clients): it goes through the same escaping as the
 * blocks, people named with `personRef` becoming mentions after it.
 */
export function message(blocks: readonly Block[], text: string): SlackMessage {
  let out = blocks;
  if (out.length > slackLimits.blocksPerMessage) {
    out = [
      ...blocks.slice(0, slackLimits.blocksPerMessage - 1),
      context(`… +${blocks.length - (slackLimits.blocksPerMessage - 1)}`),
    ];
  }
  return { blocks: out, text: limit(escWithRefs(text.trim() || '…'), 'fallbackText') };
}

/** `note` above `msg`, as one message still within the limits (both are rendered already). */
export function withNote(note: SlackMessage, msg: SlackMessage): SlackMessage {
  return {
    blocks: [...note.blocks, ...msg.blocks].slice(0, slackLimits.blocksPerMessage),
    text: truncateMrkdwn(`${note.text}\n${msg.text}`, slackLimits.fallbackText),
  };
}
