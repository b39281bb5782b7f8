import { KlepaasError } from '../domain/errors.ts';
import { NcpError } from './errors.ts';
import { httpError, type PoolSet, type RawResponse, type RetryDeps, sendOnce, withRetries } from './http.ts';
import { registryErrorSchema, registryTokenSchema, tagsListSchema } from './schemas.ts';

export interface RegistryOptions {
  readonly scheme: 'https' | 'http';
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly retry: RetryDeps;
  readonly now: () => number;
}

const HOST_PATTERN = /^[A-Za-z0-9.-]+(?::\d{1,5})?$/;
// Docker distribution's grammar for repository names and tags.
const NAME_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

function invalid(what: string, value: string): KlepaasError {
  return new KlepaasError({
    code: 'INVALID_INPUT',
    status: 400,
    message: {
      en: `Not a valid registry ${what}: ${value}`,
      ko: `올바른 레지스트리 ${what}이(가) 아닙니다: ${value}`,
    },
  });
}

/** `Bearer realm="...",service="...",scope="..."` -> its parameters. */
export function parseChallenge(
  header: string | undefined,
): { scheme: string; params: Record<string, string> } | null {
  if (!header) return null;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m?.[1]) return null;
  const params: Record<string, string> = {};
  for (const p of (m[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) {
    if (p[1]) params[p[1].toLowerCase()] = p[2] ?? p[3] ?? '';
  }
  return { scheme: m[1].toLowerCase(), params };
}

function registryErrorCode(body: string): { code: string | null; message: string | null } {
  try {
    const parsed = registryErrorSchema.safeParse(JSON.parse(body));
    if (parsed.success)
      return { code: parsed.data.errors[0]?.code ?? null, message: parsed.data.errors[0]?.message || null };
  } catch {
    // Not JSON: HEAD answers and proxies' HTML pages carry no code.
  }
  return { code: null, message: null };
}

/**
 * NCR speaks Docker Registry v2: a 401 carries a Bearer challenge, the token comes from the realm with
 * the API key as Basic credentials, and the request is sent again with the token. Tokens are cached per
 * registry and scope until shortly before they expire.
 */
export class RegistryClient {
  readonly #pools: PoolSet;
  readonly #opts: RegistryOptions;
  readonly #tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(pools: PoolSet, opts: RegistryOptions) {
    this.#pools = pools;
    this.#opts = opts;
  }

  async imageExists(
    host: string,
    image: string,
    tag: string,
  ): Promise<{ exists: boolean; httpStatus: number }> {
    if (!TAG_PATTERN.test(tag)) throw invalid('tag', tag);
    const res = await this.#call(host, image, 'HEAD', `/manifests/${tag}`, { accept: MANIFEST_ACCEPT });
    if (res.status === 404) return { exists: false, httpStatus: 404 };
    return { exists: true, httpStatus: res.status };
  }

  async listTags(host: string, image: string): Promise<string[]> {
    const res = await this.#call(host, image, 'GET', '/tags/list', { accept: 'application/json' });
    if (res.status === 404) return [];
    const parsed = tagsListSchema.safeParse(safeJson(res.body));
    if (!parsed.success) throw this.#invalidResponse('GET', host, image, parsed.error.message);
    return parsed.data.tags;
  }

  async #call(
    host: string,
    image: string,
    method: 'GET' | 'HEAD',
    suffix: string,
    headers: Record<string, string>,
  ) {
    if (!HOST_PATTERN.test(host)) throw invalid('host', host);
    if (!NAME_PATTERN.test(image)) throw invalid('image name', image);
    const url = new URL(`${this.#opts.scheme}://${host}/v2/${image}${suffix}`);
    const scope = `repository:${image}:pull`;
    const cacheKey = `${host} ${scope}`;
    return withRetries(method, this.#opts.retry, async () => {
      const cached = this.#tokens.get(cacheKey);
      const first = { ...headers };
      if (cached && cached.expiresAt > this.#opts.now()) first.authorization = `Bearer ${cached.token}`;
      let res = await this.#send(method, url, first);
      if (res.status === 401) {
        const authorization = await this.#authorize(url, res, scope, cacheKey);
        res = await this.#send(method, url, { ...headers, authorization });
      }
      if (res.status >= 400 && res.status !== 404) throw httpError(method, url, res, registryErrorCode);
      return res;
    });
  }

  #send(method: 'GET' | 'HEAD', url: URL, headers: Record<string, string>): Promise<RawResponse> {
    return sendOnce(this.#pools, { method, url, headers, timeoutMs: this.#opts.timeoutMs });
  }

  async #authorize(url: URL, res: RawResponse, scope: string, cacheKey: string): Promise<string> {
    const basic = `Basic ${Buffer.from(`${this.#opts.username}:${this.#opts.password}`).toString('base64')}`;
    const challenge = parseChallenge(res.headers['www-authenticate']);
    if (challenge?.scheme === 'basic') return basic;
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm)
      throw httpError('GET', url, res, registryErrorCode);
    const realm = new URL(challenge.params.realm);
    // The API key goes only to a token service on the registry's own host (or its parent domain).
    const parent = url.hostname.split('.').slice(-3).join('.');
    if (realm.hostname !== url.hostname && !realm.hostname.endsWith(`.${parent}`)) {
      throw new NcpError({
        kind: 'invalid_response',
        status: 401,
        ncpCode: null,
        message: `token realm ${realm.hostname} is not on the registry host`,
        retryable: false,
        call: `GET ${url.pathname}`,
      });
    }
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', challenge.params.scope ?? scope);
    const tokenRes = await sendOnce(this.#pools, {
      method: 'GET',
      url: realm,
      headers: { authorization: basic, accept: 'application/json' },
      timeoutMs: this.#opts.timeoutMs,
    });
    if (tokenRes.status !== 200) throw httpError('GET', realm, tokenRes, registryErrorCode);
    const token = registryTokenSchema.safeParse(safeJson(tokenRes.body));
    if (!token.success) throw this.#invalidResponse('GET', realm.host, realm.pathname, token.error.message);
    // Drop the token a little early so a request never goes out with one about to expire.
    const ttlMs = Math.max(0, token.data.expiresInS * 1000 - 10_000);
    this.#tokens.set(cacheKey, { token: token.data.token, expiresAt: this.#opts.now() + ttlMs });
    return `Bearer ${token.data.token}`;
  }

  #invalidResponse(method: string, host: string, path: string, detail: string): NcpError {
    return new NcpError({
      kind: 'invalid_response',
      status: 200,
      ncpCode: null,
      message: `unexpected registry answer from ${host}: ${detail}`,
      retryable: false,
      call: `${method} ${path}`,
    });
  }
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
