import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Reply, SimRuntime } from './runtime.ts';

function registryError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Reply {
  return { status, body: { errors: [{ code, message, detail: null }] }, headers };
}

/** NCR: Docker Registry v2 behind a Bearer token service that takes the API key as Basic credentials. */
export function registry(rt: SimRuntime, method: string, path: string, req: IncomingMessage): Reply {
  const m = /^\/v2\/(.+)\/(manifests\/([^/]+)|tags\/list)$/.exec(path);
  const name = m?.[1];
  const scope = name ? `repository:${name}:pull` : 'registry:catalog:*';
  const auth = req.headers.authorization ?? '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  if (!rt.tokens.has(token)) {
    return registryError(401, 'UNAUTHORIZED', 'authentication required', {
      'www-authenticate': `Bearer realm="${rt.origin}/ncr/token",service="ncr-simulator",scope="${scope}"`,
    });
  }
  if (path === '/v2/' || path === '/v2') return { status: 200, body: {} };
  if (!m || !name) return registryError(404, 'NOT_FOUND', 'not found');
  const tags = rt.state.registry.get(name);
  if (m[2] === 'tags/list') {
    if (!tags) return registryError(404, 'NAME_UNKNOWN', 'repository name not known to registry');
    return { status: 200, body: { name, tags: [...tags].sort() } };
  }
  const tag = m[3] ?? '';
  if (!tags?.has(tag) || method === 'POST') return registryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
  const digest = `sha256:${Buffer.from(`${name}:${tag}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;
  return {
    status: 200,
    headers: {
      'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
      'docker-content-digest': digest,
    },
    body: {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { digest },
    },
  };
}

export function tokenEndpoint(rt: SimRuntime, req: IncomingMessage): Reply {
  const auth = req.headers.authorization ?? '';
  const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
  if (!safeEqual(decoded, `${rt.accessKey}:${rt.secretKey}`))
    return registryError(401, 'UNAUTHORIZED', 'invalid credentials');
  const token = randomBytes(16).toString('hex');
  rt.tokens.add(token);
  return { status: 200, body: { token, access_token: token, expires_in: 300 } };
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
