import type { Intent, IntentKind } from '../domain/intent.ts';
import { unknownIntent } from '../domain/intent.ts';

export interface GrammarOptions {
  /** The verb a slash command implies (`/rollback ...` hints rollback) when the text names none. */
  readonly hint?: IntentKind;
}

/** Deterministic, network-free parse of one chat message. Never throws. */
export function parseWithGrammar(text: string, _opts: GrammarOptions = {}): Intent {
  return unknownIntent(/[\uac00-\ud7a3]/.test(text) ? 'ko' : 'en', 'not_understood');
}
