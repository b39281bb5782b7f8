import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { Errors } from 'isomorphic-git';
import { KlepaasError } from '../domain/errors.ts';
import { NcpError, toKlepaasError } from './errors.ts';
import type { PoolSet } from './http.ts';

/** isomorphic-git's HTTP transport over undici, so git calls share the client's pools and timeouts. */
export function undiciTransport(pools: PoolSet, timeoutMs: number): HttpClient {
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const url = new URL(req.url);
      const chunks: Uint8Array[] = [];
      if (req.body) for await (const c of req.body) chunks.push(c);
      const res = await pools.get(url.origin).request({
        method: (req.method ?? 'GET') as 'GET' | 'POST',
        path: url.pathname + url.search,
        headers: req.headers ?? {},
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
      return {
        url: req.url,
        method: req.method,
        statusCode: res.statusCode,
        statusMessage: '',
        headers,
        body: res.body[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>,
      };
    },
  };
}

export function manifestFailure(
  en: string,
  ko: string,
  cause?: unknown,
  details?: Record<string, unknown>,
): KlepaasError {
  return new KlepaasError({
    code: 'MANIFEST_UPDATE_FAILED',
    status: 502,
    message: { en, ko },
    hint: {
      en: 'Nothing was deployed. Check the SourceCommit repository, its branch and the manifest path of the integration, then try again.',
      ko: '배포는 진행되지 않았습니다. 연동 설정의 SourceCommit 저장소, 브랜치, 매니페스트 경로를 확인한 뒤 다시 시도하세요.',
    },
    details,
    cause,
  });
}

/** Git transport errors in the client's terms: auth refusals and timeouts keep their NCP codes. */
export function gitError(err: unknown, call: string): KlepaasError | null {
  if (err instanceof KlepaasError) return err;
  if (err instanceof Errors.HttpError) {
    return toKlepaasError(
      new NcpError({
        kind: 'git',
        status: err.data.statusCode,
        ncpCode: null,
        message: err.data.statusMessage || err.message,
        retryable: err.data.statusCode >= 500,
        call,
        cause: err,
      }),
    );
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return toKlepaasError(
      new NcpError({
        kind: 'timeout',
        status: 0,
        ncpCode: null,
        message: err.message,
        retryable: true,
        call,
        cause: err,
      }),
    );
  }
  return null;
}
