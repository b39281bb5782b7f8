import type { Lang } from './intent.ts';

/**
 * Stable codes for every refusal. Front ends map them to words with `KlepaasError.text(lang)`;
 * scripts match on the code, never the message.
 */
export const errorCodes = [
  'INTEGRATION_NOT_FOUND',
  'INTEGRATION_EXISTS',
  'BUILD_PROJECT_NOT_CONFIGURED',
  'DEPLOY_PROJECT_NOT_CONFIGURED',
  'NO_DEPLOYMENT_HISTORY',
  'COMMIT_NOT_DEPLOYED',
  'AMBIGUOUS_COMMIT',
  'NOT_ENOUGH_HISTORY',
  'ALREADY_RUNNING',
  'DEPLOYMENT_IN_FLIGHT',
  'INVALID_STEPS',
  'INVALID_INPUT',
  'REF_NOT_FOUND',
  'REPO_NOT_FOUND',
  'AMBIGUOUS_REPO',
  'FORBIDDEN',
  'CONFIRMATION_EXPIRED',
  'TARGET_CHANGED',
  'FAULTY_TARGET',
  'TARGET_IS_REF',
  'TARGET_NOT_UNDERSTOOD',
  'REPO_LOCKED',
  'REPO_PINNED',
  'NOTHING_TO_CANCEL',
  'NOTHING_TO_UNDO',
  'MANIFEST_UPDATE_FAILED',
  'BUILD_FAILED',
  'NCP_UNAUTHORIZED',
  'NCP_ERROR',
  'NCP_TIMEOUT',
  'STORAGE_FAILED',
  'CONFIG_INVALID',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface Bilingual {
  readonly en: string;
  readonly ko: string;
}

export interface KlepaasErrorInit {
  code: ErrorCode;
  /** The HTTP-style status the source documents give (404 missing, 400 misconfigured, 409 conflict...). */
  status: number;
  message: Bilingual;
  hint?: Bilingual;
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

export class KlepaasError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly messages: Bilingual;
  readonly hint: Bilingual | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(init: KlepaasErrorInit) {
    super(`${init.status}: ${init.message.en}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'KlepaasError';
    this.code = init.code;
    this.status = init.status;
    this.messages = init.message;
    this.hint = init.hint;
    this.details = init.details ?? {};
  }

  /** The message and its fix in one language, as a person reads it. */
  text(lang: Lang): string {
    const hint = this.hint?.[lang];
    return hint ? `${this.messages[lang]}\n${hint}` : this.messages[lang];
  }
}

export const isKlepaasError = (err: unknown): err is KlepaasError => err instanceof KlepaasError;
