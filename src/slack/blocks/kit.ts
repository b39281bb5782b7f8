import { limit, slackLimits, truncate } from './limits.ts';

// A small typed subset of Block Kit: only what the renderers use. Kept here instead of importing the SDK's
// types so the renderers stay pure (they import only domain and zod).

export interface TextObject {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
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

/** Slack mrkdwn needs only these three escaped; anything else typed by a person shows as typed. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const mention = (user: string | null): string => (user ? `<@${user}>` : '');

export const md = (text: string): TextObject => ({ type: 'mrkdwn', text: limit(text, 'sectionText') });
export const plain = (text: string, max: number = slackLimits.sectionText): TextObject => ({
  type: 'plain_text',
  text: truncate(text, max),
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
  fields: items
    .slice(0, slackLimits.sectionFields)
    .map((t) => ({ type: 'mrkdwn', text: limit(t, 'fieldText') }) as const),
});
export const context = (...texts: readonly string[]): Block => ({
  type: 'context',
  elements: texts
    .filter(Boolean)
    .slice(0, slackLimits.contextElements)
    .map((t) => ({ type: 'mrkdwn', text: limit(t, 'contextText') }) as const),
});
export const divider: Block = { type: 'divider' };
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
    text: { type: 'mrkdwn', text: limit(opts.text, 'confirmText') },
    confirm: plain(opts.confirm, slackLimits.confirmButton),
    deny: plain(opts.deny, slackLimits.confirmButton),
    ...(opts.style ? { style: opts.style } : {}),
  };
}

/** Applies the per-message limits last, so every renderer's output is valid whatever the data size. */
export function message(blocks: readonly Block[], text: string): SlackMessage {
  let out = blocks;
  if (out.length > slackLimits.blocksPerMessage) {
    out = [
      ...blocks.slice(0, slackLimits.blocksPerMessage - 1),
      context(`… +${blocks.length - (slackLimits.blocksPerMessage - 1)}`),
    ];
  }
  return { blocks: out, text: limit(text, 'fallbackText') };
}
