import type { Lang } from './intent.ts';

/** Hangul syllables and both jamo blocks (NFKC turns compatibility jamo like ㄱ into conjoining jamo). */
export const HANGUL = /[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]/;

/** One Hangul character anywhere makes the reply Korean; people mix English names into Korean sentences. */
export function detectLang(text: string): Lang {
  return HANGUL.test(text) ? 'ko' : 'en';
}
