// What Slack checks in a message before it takes it; used by the Web API stand-in.

interface TextObj {
  type?: unknown;
  text?: unknown;
  emoji?: unknown;
  verbatim?: unknown;
}

/** Slack's checks on a text object: a known type, 1..max characters, `verbatim` only on mrkdwn. */
function badText(t: TextObj | undefined, max: number, plainOnly = false): boolean {
  if (!t || typeof t.text !== 'string') return true;
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') return true;
  if (plainOnly && t.type !== 'plain_text') return true;
  if (t.type === 'plain_text' && t.verbatim !== undefined) return true;
  if (t.type === 'mrkdwn' && t.emoji !== undefined) return true;
  return t.text.length < 1 || t.text.length > max;
}

interface ButtonObj {
  text?: TextObj;
  value?: unknown;
  action_id?: unknown;
  confirm?: { title?: TextObj; text?: TextObj; confirm?: TextObj; deny?: TextObj };
}

function badButton(b: ButtonObj): boolean {
  if (badText(b.text, 75, true)) return true;
  if (typeof b.value === 'string' && b.value.length > 2000) return true;
  if (typeof b.action_id === 'string' && b.action_id.length > 255) return true;
  const c = b.confirm;
  if (!c) return false;
  // The dialog's text is plain_text only (at most 300), the title 100, the buttons 30.
  return (
    badText(c.title, 100, true) ||
    badText(c.text, 300, true) ||
    badText(c.confirm, 30, true) ||
    badText(c.deny, 30, true)
  );
}

/**
 * What Slack refuses in a message (`invalid_blocks`, `msg_too_long`): the Block Kit limits the renderers
 * must keep, checked here so a test sees the refusal a real workspace would give.
 */
export function invalidMessage(body: Record<string, unknown>): string | null {
  if (typeof body.text === 'string' && body.text.length > 40_000) return 'msg_too_long';
  const blocks = body.blocks;
  if (blocks === undefined) return null;
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  for (const raw of blocks) {
    const b = raw as {
      type?: unknown;
      block_id?: unknown;
      text?: TextObj;
      fields?: TextObj[];
      elements?: unknown[];
      accessory?: ButtonObj;
    };
    if (typeof b.block_id === 'string' && b.block_id.length > 255) return 'invalid_blocks';
    if (b.type === 'header' && badText(b.text, 150, true)) return 'invalid_blocks';
    if (b.type === 'section') {
      if (b.text === undefined && b.fields === undefined) return 'invalid_blocks';
      if (b.text !== undefined && badText(b.text, 3000)) return 'invalid_blocks';
      if (b.fields && (b.fields.length > 10 || b.fields.some((f) => badText(f, 2000))))
        return 'invalid_blocks';
      if (b.accessory && badButton(b.accessory)) return 'invalid_blocks';
    }
    if (b.type === 'context') {
      const els = (b.elements ?? []) as TextObj[];
      if (els.length < 1 || els.length > 10 || els.some((e) => badText(e, 2000))) return 'invalid_blocks';
    }
    if (b.type === 'actions') {
      const els = (b.elements ?? []) as ButtonObj[];
      if (els.length < 1 || els.length > 25 || els.some(badButton)) return 'invalid_blocks';
    }
  }
  return null;
}
