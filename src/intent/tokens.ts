export type PieceKind = 'url' | 'word' | 'hangul';

/** One run of the message: a URL, an ASCII word-like run (names, SHAs, refs) or a Hangul run. */
export interface Piece {
  readonly kind: PieceKind;
  readonly text: string;
  readonly lower: string;
  readonly start: number;
  readonly end: number;
}

const PIECE =
  /(?:https?:\/\/|(?:www\.)?github\.com\/)[^\s<>"'`()[\]{}]+|[A-Za-z0-9_~^][A-Za-z0-9._/~^-]*|[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+/g;

/** Chat messages that are commands are short; past this many pieces the rest is not read. */
export const MAX_PIECES = 80;

/**
 * Splits a normalized message into pieces. Script changes split too, so Korean particles glued to a name
 * (`test01을`, `c39eb54로`) fall away from it. Trailing sentence punctuation is trimmed off names.
 */
export function splitPieces(text: string): Piece[] {
  const out: Piece[] = [];
  PIECE.lastIndex = 0;
  for (const m of text.matchAll(PIECE)) {
    if (out.length >= MAX_PIECES) break;
    const raw = m[0];
    const first = raw.charCodeAt(0);
    const kind: PieceKind = /^(?:https?:|www\.|github\.com)/i.test(raw)
      ? 'url'
      : first < 128
        ? 'word'
        : 'hangul';
    const text = kind === 'url' ? raw.replace(/[.,;:!?]+$/, '') : kind === 'word' ? trimWord(raw) : raw;
    if (text === '') continue;
    out.push({ kind, text, lower: text.toLowerCase(), start: m.index, end: m.index + text.length });
  }
  return out;
}

function trimWord(word: string): string {
  return word.replace(/[._/-]+$/, '');
}
