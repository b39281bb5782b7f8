/**
 * A person (or channel) named inside a message that is composed before anyone knows which front end shows
 * it. Slack turns the reference into a live mention *after* it escaped the text around it, so a `<@U1>` typed
 * into a commit message or a repo name never becomes one; a terminal prints `@U1`. The markers are Unicode
 * private-use characters, which no Slack id, repo name or NCP message uses.
 */
const OPEN = '\uE000';
const CLOSE = '\uE001';
// A reference also carries a tag drawn once per process, so text from outside that happens to contain the
// markers (an NCP message composed into a refusal, say) still cannot forge one.
const TAG = Math.random().toString(36).slice(2, 10).toUpperCase();
const refPattern = new RegExp(`\uE000([@#])([A-Z0-9][A-Z0-9_]*)~${TAG}\uE001`, 'g');
const strayMarkers = /[\uE000\uE001]/g;

export const personRef = (userId: string): string => `${OPEN}@${userId}~${TAG}${CLOSE}`;
export const channelRef = (channelId: string): string => `${OPEN}#${channelId}~${TAG}${CLOSE}`;

/** Slack mrkdwn: each reference becomes `<@U…>` / `<#C…>`. Call it on text that is already escaped. */
export const liveRefs = (escaped: string): string =>
  escaped.replace(refPattern, '<$1$2>').replace(strayMarkers, '');

/** Anywhere else: `@U…` / `#C…`. */
export const plainRefs = (text: string): string => text.replace(refPattern, '$1$2').replace(strayMarkers, '');

/** Strips stray markers from text that came from outside, so it cannot forge a reference. */
export const withoutRefMarkers = (text: string): string => text.replace(strayMarkers, '');
