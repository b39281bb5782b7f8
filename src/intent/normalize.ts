/**
 * Turns one raw chat message into plain text that the grammar and the LLM grounding check both read.
 * Slack sends markup (`<@U1>`, `<url|label>`, `&lt;`) and people paste emoji, full-width letters and
 * zero-width characters; none of that carries meaning for a command, so it is decoded or dropped here,
 * once, so every later step sees the same text.
 */

/** `<...>` segments Slack uses for mentions, channels, special mentions and links. */
const SLACK_MARKUP = /<([^<>\n]{1,2000})>/g;
/** `:rocket:`, `:+1:`, `:white_check_mark:`; Slack sends emoji as shortcodes in message text. */
const EMOJI_SHORTCODE = /:[a-z0-9_+-]{2,40}:/g;
/**
 * Pictographs plus the invisible pieces that glue them together (ZWJ, variation selectors, skin tones,
 * keycap, tag characters, regional indicators). Digits and `#`/`*` are Emoji too, so they are not listed.
 */
const EMOJI =
  /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|[\u200d\ufe0e\ufe0f\u20e3]|[\u{e0020}-\u{e007f}]/gu;
/** Control and format characters (zero-width spaces, bidi marks, BOM); line breaks become spaces first. */
const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
const WHITESPACE = /[\s\p{Z}]+/gu;

function decodeSlackSegment(body: string): string {
  const first = body[0];
  // `<@U123>`, `<@U123|name>`, `<#C1|general>`, `<!here>`, `<!subteam^S1|@team>`: addressing, not content.
  if (first === '@' || first === '#' || first === '!') return ' ';
  const bar = body.indexOf('|');
  const url = bar >= 0 ? body.slice(0, bar) : body;
  const label = bar >= 0 ? body.slice(bar + 1) : '';
  if (label.trim() !== '') return label;
  return url.startsWith('mailto:') ? url.slice('mailto:'.length) : url;
}

function unescapeSlack(text: string): string {
  // `&amp;` last so `&amp;lt;` becomes the literal `&lt;` the user typed, not `<`.
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Printable ASCII has nothing for NFKC, emoji or control stripping to do; most commands are this. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

export function normalizeMessage(text: string): string {
  if (typeof text !== 'string' || text === '') return '';
  const plain = PLAIN_ASCII.test(text);
  let out = plain ? text : text.normalize('NFKC');
  out = out.replace(SLACK_MARKUP, (_m, body: string) => decodeSlackSegment(body));
  out = unescapeSlack(out);
  out = out.replace(EMOJI_SHORTCODE, ' ');
  if (!plain) {
    out = out.replace(EMOJI, ' ');
    out = out.replace(/[\t\n\r\v\f]/g, ' ');
    out = out.replace(CONTROL, '');
  }
  out = out.replace(WHITESPACE, ' ');
  return out.trim();
}
