import { KlepaasError } from '../domain/errors.ts';

export type NcpErrorKind = 'http' | 'timeout' | 'network' | 'invalid_response' | 'git';

export interface NcpErrorInit {
  readonly kind: NcpErrorKind;
  /** HTTP status NCP answered, 0 when no answer came (timeout, network). */
  readonly status: number;
  /** NCP's own `error.errorCode` (or the registry's `errors[0].code`) when the body had one. */
  readonly ncpCode: string | null;
  readonly message: string;
  readonly retryable: boolean;
  /** `METHOD path` of the call, never with credentials. */
  readonly call: string;
  /** The wait NCP asked for in `Retry-After`, when it sent one. */
  readonly retryAfterMs?: number | null;
  readonly cause?: unknown;
}

/** One failure of a call to NCP, with what the retry loop and the error mapping need. */
export class NcpError extends Error {
  readonly kind: NcpErrorKind;
  readonly status: number;
  readonly ncpCode: string | null;
  readonly retryable: boolean;
  readonly call: string;
  readonly retryAfterMs: number | null;

  constructor(init: NcpErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'NcpError';
    this.kind = init.kind;
    this.status = init.status;
    this.ncpCode = init.ncpCode;
    this.retryable = init.retryable;
    this.call = init.call;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

/**
 * 429 and 5xx are NCP saying "not now"; other 4xx will not change on a retry. A 429 with errorCode 400 is
 * the quota being used up, which no retry within minutes fixes (429/410 and 429/420 are rate limits).
 */
export const isRetryableStatus = (status: number, ncpCode: string | null = null): boolean =>
  (status === 429 && ncpCode !== '400') || status >= 500;

/** `Retry-After` as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * The port boundary: every NcpClient method throws KlepaasError, never NcpError, so services and front
 * ends deal with one error type. The NcpError stays reachable as `cause` and its fields in `details`.
 */
export function toKlepaasError(err: NcpError): KlepaasError {
  const details = { ncpStatus: err.status, ncpCode: err.ncpCode, call: err.call, retryable: err.retryable };
  if (err.kind === 'timeout') {
    return new KlepaasError({
      code: 'NCP_TIMEOUT',
      status: 504,
      message: {
        en: `NCP did not answer in time (${err.call}).`,
        ko: `NCP가 제시간에 응답하지 않았습니다 (${err.call}).`,
      },
      hint: {
        en: 'Try again in a moment; raise NCP_TIMEOUT_MS if NCP is slow today.',
        ko: '잠시 후 다시 시도하세요. NCP가 느리다면 NCP_TIMEOUT_MS를 늘리세요.',
      },
      details,
      cause: err,
    });
  }
  if (err.status === 401 || err.status === 403) {
    return new KlepaasError({
      code: 'NCP_UNAUTHORIZED',
      status: 502,
      message: {
        en: `NCP refused the credentials (${err.status}${err.ncpCode ? ` ${err.ncpCode}` : ''}: ${err.message}).`,
        ko: `NCP가 인증 정보를 거부했습니다 (${err.status}${err.ncpCode ? ` ${err.ncpCode}` : ''}: ${err.message}).`,
      },
      hint: {
        en: 'Check NCP_ACCESS_KEY / NCP_SECRET_KEY (and NCP_GIT_USERNAME / NCP_GIT_PASSWORD for SourceCommit) and that the key may use SourceBuild, SourceDeploy and NCR.',
        ko: 'NCP_ACCESS_KEY / NCP_SECRET_KEY(SourceCommit은 NCP_GIT_USERNAME / NCP_GIT_PASSWORD)와 해당 키의 SourceBuild, SourceDeploy, NCR 권한을 확인하세요.',
      },
      details,
      cause: err,
    });
  }
  return new KlepaasError({
    code: 'NCP_ERROR',
    status: 502,
    message: {
      en: `NCP call failed (${err.call}: ${err.status || err.kind}${err.ncpCode ? ` ${err.ncpCode}` : ''} ${err.message}).`,
      ko: `NCP 호출이 실패했습니다 (${err.call}: ${err.status || err.kind}${err.ncpCode ? ` ${err.ncpCode}` : ''} ${err.message}).`,
    },
    hint: {
      en: err.retryable
        ? 'NCP looks busy; try again in a moment.'
        : 'Check the project ids of the integration.',
      ko: err.retryable
        ? 'NCP가 혼잡한 것 같습니다. 잠시 후 다시 시도하세요.'
        : '연동 설정의 프로젝트 ID를 확인하세요.',
    },
    details,
    cause: err,
  });
}
