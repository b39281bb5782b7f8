import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readManifestImage } from '../manifest.ts';
import { NCP_HEADERS, signature } from '../sign.ts';
import type { GitRepos } from './git-repos.ts';
import type { SimState } from './state.ts';

export interface SimRuntime {
  readonly state: SimState;
  readonly repos: GitRepos;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly gitUsername: string;
  readonly gitPassword: string;
  /** Drives run progress; tests may step it by hand. */
  readonly now: () => number;
  /** Checks signature timestamps; the wall clock, so stepping `now` does not expire every request. */
  readonly wallNow: () => number;
  readonly random: () => number;
  readonly buildFailRate: number;
  readonly deployFailRate: number;
  readonly errorRate: number;
  latencyMs: number;
  readonly hooks: {
    nextBuildFails: number;
    nextDeployFails: number;
    /** Statuses answered, in order, before any real handling (429, 500...). */
    failNext: number[];
  };
  readonly calls: { method: string; path: string; status: number }[];
  readonly tokens: Set<string>;
  origin: string;
}

const MAX_SKEW_MS = 5 * 60_000;

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

const ncpError = (status: number, errorCode: string, message: string, details?: string): Reply => ({
  status,
  body: { error: { errorCode, message, ...(details ? { details } : {}) } },
});

function json(res: ServerResponse, reply: Reply, method: string): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': String(Buffer.byteLength(body)),
    ...reply.headers,
  });
  res.end(method === 'HEAD' ? undefined : body);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return {};
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** NCP API Gateway's check: known key, fresh timestamp, v2 signature over the path with its query. */
function checkSignature(rt: SimRuntime, req: IncomingMessage): Reply | null {
  const ts = req.headers[NCP_HEADERS.timestamp];
  const key = req.headers[NCP_HEADERS.accessKey];
  const sig = req.headers[NCP_HEADERS.signature];
  if (typeof ts !== 'string' || typeof key !== 'string' || typeof sig !== 'string') {
    return ncpError(401, '200', 'Authentication Failed', 'Invalid authentication information.');
  }
  if (!/^\d{13}$/.test(ts) || Math.abs(rt.wallNow() - Number(ts)) > MAX_SKEW_MS) {
    return ncpError(401, '200', 'Authentication Failed', 'Timestamp is expired or invalid.');
  }
  if (key !== rt.accessKey) return ncpError(401, '200', 'Authentication Failed', 'Invalid access key.');
  const expected = signature({
    method: req.method ?? 'GET',
    pathWithQuery: req.url ?? '/',
    timestampMs: Number(ts),
    accessKey: key,
    secretKey: rt.secretKey,
  });
  if (!safeEqual(expected, sig)) return ncpError(401, '200', 'Authentication Failed', 'Signature mismatch.');
  return null;
}

function injected(rt: SimRuntime): Reply | null {
  const forced = rt.hooks.failNext.shift();
  const status =
    forced ?? (rt.errorRate > 0 && rt.random() < rt.errorRate ? (rt.random() < 0.5 ? 429 : 500) : 0);
  if (status === 429) return ncpError(429, '700', 'Too Many Requests', 'Rate limit exceeded.');
  if (status >= 500) return ncpError(status, '900', 'Internal Server Error');
  return null;
}

const num = (id: string): number | string => (/^\d+$/.test(id) ? Number(id) : id);

async function sourceBuild(
  rt: SimRuntime,
  method: string,
  parts: string[],
  req: IncomingMessage,
): Promise<Reply> {
  const [projectId, action] = parts;
  const project = projectId ? rt.state.buildProjects.get(projectId) : undefined;
  if (!project) return ncpError(404, '31001', 'Project not found');
  if (method === 'POST' && action === 'build' && parts.length === 2) {
    const body = (await readBody(req)) as { source?: { config?: { branch?: unknown; commitId?: unknown } } };
    const cfg = body.source?.config ?? {};
    const ref =
      typeof cfg.commitId === 'string'
        ? cfg.commitId
        : typeof cfg.branch === 'string'
          ? cfg.branch
          : project.branch;
    const sha = await rt.repos.resolve(project.repoName, ref);
    if (!sha) return ncpError(400, '31010', 'Invalid source', `Cannot find ${ref} in ${project.repoName}`);
    const willFail = rt.hooks.nextBuildFails > 0 || (rt.buildFailRate > 0 && rt.random() < rt.buildFailRate);
    if (rt.hooks.nextBuildFails > 0) rt.hooks.nextBuildFails -= 1;
    const buildId = `${randomBytes(4).toString('hex')}-${rt.state.nextId()}`;
    rt.state.addBuild({ buildId, projectId: project.id, commitSha: sha, startedAt: rt.now(), willFail });
    return { status: 200, body: { result: { projectId: num(project.id), buildId } } };
  }
  if (method === 'GET' && action === 'history' && parts.length === 2) {
    const now = rt.now();
    const history = [...rt.state.builds.values()]
      .filter((b) => b.projectId === project.id)
      .reverse()
      .map((b) => {
        const v = rt.state.buildView(b, now);
        return {
          projectId: num(b.projectId),
          buildId: b.buildId,
          begin: b.startedAt,
          end: v.endedAt,
          userId: 'klepaas-bot',
          status: v.status,
          failedPhase: v.failedPhase,
        };
      });
    return { status: 200, body: { result: { total: history.length, history } } };
  }
  return ncpError(404, '300', 'Not Found Exception');
}

async function sourceDeploy(rt: SimRuntime, method: string, parts: string[]): Promise<Reply> {
  const [projectId, a, b, c, d, e] = parts;
  if (method === 'POST' && a === 'stage' && c === 'scenario' && e === 'deploy' && parts.length === 6) {
    const scenario = rt.state.scenarios.get(rt.state.scenarioKey(projectId ?? '', b ?? '', d ?? ''));
    if (!scenario) return ncpError(404, '32001', 'Scenario not found');
    const head = await rt.repos.head(scenario.repoName, scenario.branch);
    const text = head ? await rt.repos.readFile(scenario.repoName, head, scenario.manifestPath) : null;
    const image = text ? safeImage(text) : null;
    const willFail =
      rt.hooks.nextDeployFails > 0 || (rt.deployFailRate > 0 && rt.random() < rt.deployFailRate);
    if (rt.hooks.nextDeployFails > 0) rt.hooks.nextDeployFails -= 1;
    const historyId = rt.state.nextId();
    rt.state.addDeploy({
      historyId,
      projectId: scenario.projectId,
      stageId: scenario.stageId,
      scenarioId: scenario.scenarioId,
      image,
      startedAt: rt.now(),
      willFail,
    });
    return { status: 200, body: { result: { historyId: Number(historyId) } } };
  }
  if (method === 'GET' && a === 'history' && b && parts.length === 3) {
    const run = rt.state.deploys.get(b);
    if (!run || run.projectId !== projectId) return ncpError(404, '32002', 'History not found');
    const v = rt.state.deployView(run, rt.now());
    const scenario = rt.state.scenarios.get(rt.state.scenarioKey(run.projectId, run.stageId, run.scenarioId));
    return {
      status: 200,
      body: {
        result: {
          project: { id: num(run.projectId), name: scenario?.name ?? run.projectId },
          stage: { id: num(run.stageId), name: 'production' },
          scenario: { id: num(run.scenarioId), name: 'deploy' },
          id: Number(run.historyId),
          status: v.status,
          executor: 'klepaas-bot',
          startTime: run.startedAt,
          endTime: v.endedAt,
          type: 'KubernetesService',
          ...(v.status === 'fail' && run.image === null ? { message: 'manifest has no image' } : {}),
        },
      },
    };
  }
  return ncpError(404, '300', 'Not Found Exception');
}

function safeImage(text: string): string | null {
  try {
    return readManifestImage(text);
  } catch {
    return null;
  }
}

function registryError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Reply {
  return { status, body: { errors: [{ code, message, detail: null }] }, headers };
}

/** NCR: Docker Registry v2 behind a Bearer token service that takes the API key as Basic credentials. */
function registry(rt: SimRuntime, method: string, path: string, req: IncomingMessage): Reply {
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

function tokenEndpoint(rt: SimRuntime, req: IncomingMessage): Reply {
  const auth = req.headers.authorization ?? '';
  const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
  if (!safeEqual(decoded, `${rt.accessKey}:${rt.secretKey}`))
    return registryError(401, 'UNAUTHORIZED', 'invalid credentials');
  const token = randomBytes(16).toString('hex');
  rt.tokens.add(token);
  return { status: 200, body: { token, access_token: token, expires_in: 300 } };
}

function gitAuthorized(rt: SimRuntime, req: IncomingMessage): string | null {
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith('Basic ')) return null;
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  return safeEqual(decoded, `${rt.gitUsername}:${rt.gitPassword}`) ? rt.gitUsername : null;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function handle(rt: SimRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname;
  const record = (status: number) => rt.calls.push({ method, path, status });

  if (path.startsWith('/git/')) {
    const pathInfo = path.slice(4);
    if (!rt.repos.handles(pathInfo))
      return void json(res, { status: 404, body: { message: 'Not Found' } }, method);
    const user = gitAuthorized(rt, req);
    if (!user) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="SourceCommit"' }).end();
      return;
    }
    rt.repos.serve(req, res, pathInfo, url.search.slice(1), user);
    return;
  }
  if (path === '/ncr/token') {
    const reply = tokenEndpoint(rt, req);
    record(reply.status);
    return void json(res, reply, method);
  }

  if (rt.latencyMs > 0) await pause(rt.latencyMs);
  rt.state.settle(rt.now());
  let reply: Reply;
  if (path.startsWith('/v2')) {
    reply = injected(rt) ?? registry(rt, method, path, req);
  } else {
    const m = /^\/(sourcebuild|sourcedeploy)\/api\/v1\/project\/(.+)$/.exec(path);
    if (!m?.[2]) {
      reply = ncpError(404, '300', 'Not Found Exception');
    } else {
      reply =
        checkSignature(rt, req) ??
        injected(rt) ??
        (m[1] === 'sourcebuild'
          ? await sourceBuild(rt, method, m[2].split('/'), req)
          : await sourceDeploy(rt, method, m[2].split('/')));
    }
  }
  record(reply.status);
  if (!res.destroyed) json(res, reply, method);
}
