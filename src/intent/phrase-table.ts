/**
 * Keyword tables are written one phrase per line so that teaching the grammar a new phrase is a one-line
 * change. `phrases` turns such a block into a list, dropping blank lines and `#` comments.
 */
export function phrases(block: string): readonly string[] {
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * What a phrase votes for. Intents are listed from the most to the least specific: when one message hits
 * several categories without a conjunction between them, the more specific one wins ("롤백 가능한 버전"
 * mentions rollback but asks for candidates). `helpWeak` ("help me ...", "도와줘") only wins alone.
 */
export const phraseCategories = [
  'candidates',
  'diagnose',
  'audit',
  'status',
  'history',
  'help',
  'unlock',
  'lock',
  'cancel',
  'rollback',
  'deploy',
  'helpWeak',
  'negation',
] as const;
export type PhraseCategory = (typeof phraseCategories)[number];

export type PhraseTable = Readonly<Record<PhraseCategory, readonly string[]>>;
