/**
 * A person (or channel) named inside a message that is composed before anyone knows which front end shows
 * it. Slack turns the reference into a live mention *after* it escaped the text around it, so a `<@U1>` typed
 * into a commit message or a repo name never becomes one; a terminal prints `@U1`. The markers are Unicode
 * private-use characters, which no Slack id, repo name or NCP message uses.
 */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const refPattern = /\uE000([@#])([A-Z0-9][A-Z0-9_]*)\uE001/g;

export const personRef = (userId: string): string => `${OPEN}@${userId}${CLOSE}`;
export const channelRef = (channelId: string): string => `${OPEN}#${channelId}${CLOSE}`;

/** Slack mrkdwn: each reference becomes `<@U…>` / `<#C…>`. Call it on text that is already escaped. */
export const liveRefs = (escaped: string): string => escaped.replace(refPattern, '<$1$2>');

/** Anywhere else: `@U…` / `#C…`. */
export const plainRefs = (text: string): string => text.replace(refPattern, '$1$2');

/** Strips stray markers from text that came from outside, so it cannot forge a reference. */
export const withoutRefMarkers = (text: string): string => text.replace(/[\uE000\uE001]/g, '');
