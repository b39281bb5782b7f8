import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readManifestImage, splitImageRef } from '../manifest.ts';
import { NCP_HEADERS, signature } from '../sign.ts';
import { registry, safeEqual, tokenEndpoint } from './registry.ts';
import type { Reply, SimRuntime } from './runtime.ts';
import type { BuildProjectState } from './state.ts';

const MAX_SKEW_MS = 5 * 60_000;

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

/** The parsed JSON body; `undefined` when there is none, null when it is not JSON. */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
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

// Only codes the NCP references document: 429/410 and 429/420 are rate limits, 429/400 the quota.
function injected(rt: SimRuntime, method: string): Reply | null {
  const next = rt.hooks.failNext[0];
  const mine = next !== undefined && (typeof next === 'number' || !next.method || next.method === method);
  const forced = mine ? rt.hooks.failNext.shift() : undefined;
  if (typeof forced === 'object') {
    const reply = ncpError(forced.status, forced.errorCode, 'Injected failure');
    if (forced.retryAfterS !== undefined) reply.headers = { 'retry-after': String(forced.retryAfterS) };
    return reply;
  }
  const status =
    forced ?? (rt.errorRate > 0 && rt.random() < rt.errorRate ? (rt.random() < 0.5 ? 429 : 500) : 0);
  if (status === 429)
    return { ...ncpError(429, '410', 'Too Many Requests'), headers: { 'retry-after': '0' } };
  if (status === 503) return ncpError(503, '500', 'Service Unavailable');
  if (status === 504) return ncpError(504, '510', 'Gateway Timeout');
  if (status >= 500) return ncpError(status, '900', 'Internal Server Error');
  return null;
}

const num = (id: string): number | string => (/^\d+$/.test(id) ? Number(id) : id);
const notFound = () => ncpError(404, '300', 'Not Found Exception');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function projectView(p: BuildProjectState) {
  return {
    id: num(p.id),
    name: p.name,
    source: { type: p.sourceType, config: { repository: p.repository, branch: p.branch } },
    env: { compute: { id: 1 }, platform: { type: 'SourceBuild' }, docker: { use: true, id: 1 } },
    cmd: { pre: [], build: [], post: [], dockerbuild: { ...p.dockerbuild } },
    artifact: { use: false },
    cache: { use: false },
  };
}

/** ChangeProject: a partial settings body; only the fields the SDK's ChangeProject names are taken. */
function changeProject(p: BuildProjectState, body: unknown): Reply {
  if (!isObject(body)) return ncpError(400, '100', 'Invalid request body');
  const source = body.source;
  if (source !== undefined) {
    const config = isObject(source) && isObject(source.config) ? source.config : null;
    // The SDK marks source.type, config.repository and config.branch as required together.
    if (!isObject(source) || typeof source.type !== 'string' || !config) {
      return ncpError(400, '100', 'Invalid source', 'source.type and source.config are required');
    }
    if (typeof config.repository !== 'string' || typeof config.branch !== 'string') {
      return ncpError(400, '100', 'Invalid source', 'config.repository and config.branch are required');
    }
    p.repository = config.repository;
    p.branch = config.branch;
  }
  const d = isObject(body.cmd) && isObject(body.cmd.dockerbuild) ? body.cmd.dockerbuild : null;
  if (d) {
    const db = p.dockerbuild;
    if (typeof d.use === 'boolean') db.use = d.use;
    if (typeof d.dockerfile === 'string') db.dockerfile = d.dockerfile;
    if (typeof d.registry === 'string') db.registry = d.registry;
    if (typeof d.image === 'string') db.image = d.image;
    if (typeof d.tag === 'string') db.tag = d.tag;
    if (typeof d.latest === 'boolean') db.latest = d.latest;
  }
  return { status: 200, body: { result: { id: num(p.id), name: p.name } } };
}

async function sourceBuild(rt: SimRuntime, method: string, parts: string[], body: unknown): Promise<Reply> {
  const [projectId, action] = parts;
  const project = projectId ? rt.state.buildProjects.get(projectId) : undefined;
  if (!project) return notFound();
  if (parts.length === 1 && method === 'GET') return { status: 200, body: { result: projectView(project) } };
  if (parts.length === 1 && method === 'PATCH') return changeProject(project, body);
  if (method === 'POST' && action === 'build' && parts.length === 2) {
    // Whatever the body says (a `source` block included), SourceBuild builds the head of the project's
    // branch and pushes the tag the project is configured with.
    const sha = await rt.repos.head(project.repository, project.branch);
    const willFail = rt.hooks.nextBuildFails > 0 || (rt.buildFailRate > 0 && rt.random() < rt.buildFailRate);
    if (rt.hooks.nextBuildFails > 0) rt.hooks.nextBuildFails -= 1;
    const buildId = `${randomBytes(4).toString('hex')}-${rt.state.nextId()}`;
    rt.state.addBuild({
      buildId,
      projectId: project.id,
      commitSha: sha,
      image: project.dockerbuild.image,
      tag: project.dockerbuild.tag,
      startedAt: rt.now(),
      willFail,
    });
    return { status: 200, body: { result: { projectId: num(project.id), buildId } } };
  }
  if (method === 'DELETE' && action === 'build' && parts.length === 2) {
    const buildId = isObject(body) && typeof body.buildId === 'string' ? body.buildId : null;
    const run = buildId ? rt.state.builds.get(buildId) : undefined;
    if (!run || run.projectId !== project.id) return notFound();
    if (!run.settled && run.canceledAt === null) run.canceledAt = rt.now();
    return { status: 200, body: { result: { projectId: num(project.id), buildId: run.buildId } } };
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
          ...(v.failedPhase ? { failedPhase: v.failedPhase } : {}),
        };
      });
    return { status: 200, body: { result: { total: history.length, history } } };
  }
  return notFound();
}

/**
 * GetHistories as the SDK defines it: `pageNo` and `pageSize` (strings, pageSize at most 100), answered
 * `historyList` newest first with project, stage, scenario ({id, name}), id, startTime and status. The SDK
 * types startTime int32, so it is in seconds here (the detail keeps milliseconds, as the simulator always
 * has; the client reads both). A project with no scenario is NCP's 404.
 */
function histories(rt: SimRuntime, projectId: string, query: URLSearchParams): Reply {
  const known = [...rt.state.scenarios.values()].some((s) => s.projectId === projectId);
  if (!known) return notFound();
  const pageNo = query.get('pageNo') ?? '1';
  const pageSize = query.get('pageSize') ?? '10';
  if (!/^\d+$/.test(pageNo) || Number(pageNo) < 1)
    return ncpError(400, '100', 'Invalid parameter', 'pageNo must be a positive integer');
  if (!/^\d+$/.test(pageSize) || Number(pageSize) < 1 || Number(pageSize) > 100)
    return ncpError(400, '100', 'Invalid parameter', 'pageSize must be between 1 and 100');
  const now = rt.now();
  const size = Number(pageSize);
  const all = [...rt.state.deploys.values()].filter((d) => d.projectId === projectId).reverse();
  const page = all.slice((Number(pageNo) - 1) * size, Number(pageNo) * size);
  const historyList = page.map((run) => {
    const scenario = rt.state.scenarios.get(rt.state.scenarioKey(run.projectId, run.stageId, run.scenarioId));
    return {
      project: { id: num(run.projectId), name: scenario?.name ?? run.projectId },
      stage: { id: num(run.stageId), name: 'production' },
      scenario: { id: num(run.scenarioId), name: 'deploy' },
      id: num(run.historyId),
      startTime: Math.floor(run.startedAt / 1000),
      status: rt.state.deployView(run, now).status,
    };
  });
  return { status: 200, body: { result: { historyList } } };
}

async function sourceDeploy(
  rt: SimRuntime,
  method: string,
  parts: string[],
  query: URLSearchParams,
): Promise<Reply> {
  const [projectId, a, b, c, d, e] = parts;
  if (method === 'POST' && a === 'stage' && c === 'scenario' && e === 'deploy' && parts.length === 6) {
    const scenario = rt.state.scenarios.get(rt.state.scenarioKey(projectId ?? '', b ?? '', d ?? ''));
    if (!scenario) return notFound();
    const head = await rt.repos.head(scenario.repoName, scenario.branch);
    const text = head ? await rt.repos.readFile(scenario.repoName, head, scenario.manifestPath) : null;
    const image = text ? safeImage(text) : null;
    const ref = image ? splitImageRef(image) : null;
    const name = ref ? ref.repository.slice(ref.repository.indexOf('/') + 1) : '';
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
      imageExisted: ref?.tag ? rt.state.hasImage(name, ref.tag) : false,
      startedAt: rt.now(),
      willFail,
      needsApproval: scenario.approval === true,
    });
    return { status: 200, body: { result: { historyId: Number(historyId) } } };
  }
  if (method === 'GET' && a === 'history' && parts.length === 2) return histories(rt, projectId ?? '', query);
  const run = a === 'history' && b ? rt.state.deploys.get(b) : undefined;
  if (!run || run.projectId !== projectId) return notFound();
  if (method === 'GET' && parts.length === 3) {
    const v = rt.state.deployView(run, rt.now());
    const scenario = rt.state.scenarios.get(rt.state.scenarioKey(run.projectId, run.stageId, run.scenarioId));
    // The documented detail: no `message` field.
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
        },
      },
    };
  }
  if (method !== 'POST') return notFound();
  const action = parts.slice(3).join('/');
  const now = rt.now();
  const waiting = rt.state.deployView(run, now).status === 'pending';
  if (action === 'cancel' && parts.length === 4) {
    if (!run.settled && run.canceledAt === null) run.canceledAt = now;
    return { status: 200, body: { result: 'ok' } };
  }
  if ((action === 'approval/accept' || action === 'approval/reject') && parts.length === 5) {
    if (!waiting) return ncpError(400, '100', 'The deployment is not waiting for approval');
    if (action === 'approval/accept') run.approvedAt = now;
    else run.rejectedAt = now;
    return { status: 200, body: { result: 'ok' } };
  }
  return notFound();
}

function safeImage(text: string): string | null {
  try {
    return readManifestImage(text);
  } catch {
    return null;
  }
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
  let body: unknown;
  const record = (status: number) =>
    rt.calls.push(body === undefined ? { method, path, status } : { method, path, status, body });

  if (path.startsWith('/git/')) {
    // SourceCommit serves `/{projectId}/{repo}.git` only; `/git` stands for the devtools host here.
    const pathInfo = rt.repos.backendPath(path.slice(4));
    if (pathInfo === null) return void json(res, { status: 404, body: { message: 'Not Found' } }, method);
    const user = gitAuthorized(rt, req);
    if (!user) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="SourceCommit"' }).end();
      return;
    }
    rt.repos.serve(req, res, pathInfo, url.search.slice(1), user);
    return;
  }
  if (path.startsWith('/apps/')) {
    // The deployed applications themselves (health and metrics), not an NCP API: no signature.
    rt.state.settle(rt.now());
    if (rt.apps.serve(path, rt.now(), res)) return;
    return void json(res, { status: 404, body: { message: 'Not Found' } }, method);
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
    reply = injected(rt, method) ?? registry(rt, method, path, req);
  } else {
    const m = /^\/(sourcebuild|sourcedeploy)\/api\/v1\/project\/(.+)$/.exec(path);
    if (!m?.[2]) {
      reply = ncpError(404, '300', 'Not Found Exception');
    } else {
      body = await readBody(req);
      reply =
        checkSignature(rt, req) ??
        injected(rt, method) ??
        (m[1] === 'sourcebuild'
          ? await sourceBuild(rt, method, m[2].split('/'), body)
          : await sourceDeploy(rt, method, m[2].split('/'), url.searchParams));
    }
  }
  record(reply.status);
  const held = rt.hooks.holdAnswers.findIndex((h) => h.method === method && path.endsWith(h.pathEndsWith));
  if (held >= 0 && reply.status < 300) {
    const [hold] = rt.hooks.holdAnswers.splice(held, 1);
    if (hold) await pause(hold.ms);
  }
  if (!res.destroyed) json(res, reply, method);
}
