import type { z } from 'zod';
import { KlepaasError } from '../domain/errors.ts';
import type { Logger } from '../log/logger.ts';
import type {
  BuildProjectChange,
  BuildProjectSettings,
  BuildRun,
  CancelTarget,
  CommitInfo,
  DeployHistoryItem,
  DeployRun,
  DeployTarget,
  NcpPort,
  SourceRepo,
} from '../services/ports.ts';
import { DEPLOY_HISTORY_PAGE_MAX } from '../services/ports.ts';
import { NcpError, toKlepaasError } from './errors.ts';
import { SourceCommitGit } from './git.ts';
import {
  httpError,
  PoolSet,
  type RawResponse,
  type RetryDeps,
  realSleep,
  sendOnce,
  withRetries,
} from './http.ts';
import { RegistryClient } from './registry.ts';
import { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
import {
  anyResponseSchema,
  buildHistorySchema,
  buildProjectDetailSchema,
  deployHistoryDetailSchema,
  deployHistoryListSchema,
  ncpErrorBodySchema,
  runScenarioResponseSchema,
  startBuildResponseSchema,
} from './schemas.ts';
import { signedHeaders } from './sign.ts';

export interface NcpClientOptions {
  readonly mode: 'ncp' | 'simulator';
  readonly sourceBuildUrl: string;
  readonly sourceDeployUrl: string;
  readonly sourceCommitGitUrl: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /**
   * SourceCommit git credentials. NCP issues them to sub-accounts only; the API keys are not git
   * credentials, so there is no fallback to them.
   */
  readonly gitUsername: string;
  readonly gitPassword: string;
  /** Per-call limit (NCP_TIMEOUT_MS); git operations get several times this for clone and push. */
  readonly timeoutMs: number;
  /** Sockets per host (NCP_CONNECTIONS, 128 by default): polls per second top out near this over the round trip. */
  readonly connections?: number;
  /** `http` only for the simulator or a registry mirror on a private network. */
  readonly registryScheme?: 'https' | 'http';
  readonly retry?: Partial<RetryPolicy>;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Each SourceBuild/SourceDeploy request as it ends: service, HTTP status or `timeout`/`network`, seconds. */
  readonly onRequest?: (service: 'sourcebuild' | 'sourcedeploy', result: string, seconds: number) => void;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The bot's only way to Naver Cloud Platform. Errors: every method throws KlepaasError (NCP_UNAUTHORIZED,
 * NCP_TIMEOUT, NCP_ERROR, MANIFEST_UPDATE_FAILED, INVALID_INPUT, AMBIGUOUS_COMMIT); the NcpError with
 * the HTTP status and NCP's error code is its `cause` and its fields are in `details`.
 */
export class NcpClient implements NcpPort {
  readonly mode: 'ncp' | 'simulator';
  readonly #opts: NcpClientOptions;
  readonly #pools: PoolSet;
  readonly #retry: RetryDeps;
  readonly #now: () => number;
  readonly #registry: RegistryClient;
  readonly #git: SourceCommitGit;

  constructor(opts: NcpClientOptions) {
    this.mode = opts.mode;
    this.#opts = opts;
    this.#pools = new PoolSet(opts.connections);
    this.#now = opts.now ?? Date.now;
    const log = opts.logger?.child({ module: 'ncp' });
    this.#retry = {
      policy: { ...defaultRetryPolicy, ...opts.retry },
      random: opts.random ?? Math.random,
      sleep: opts.sleep ?? realSleep,
      onRetry: ({ attempt, delayMs, error }) =>
        log?.warn({ call: error.call, status: error.status, attempt, delayMs }, 'ncp call failed, retrying'),
    };
    this.#registry = new RegistryClient(this.#pools, {
      scheme: opts.registryScheme ?? 'https',
      username: opts.accessKey,
      password: opts.secretKey,
      timeoutMs: opts.timeoutMs,
      retry: this.#retry,
      now: this.#now,
    });
    this.#git = new SourceCommitGit(this.#pools, {
      baseUrl: opts.sourceCommitGitUrl,
      username: opts.gitUsername,
      password: opts.gitPassword,
      timeoutMs: Math.max(opts.timeoutMs * 3, 30_000),
      author: { name: 'klepaas-bot', email: 'klepaas-bot@users.noreply.klepaas' },
    });
  }

  async close(): Promise<void> {
    await this.#git.close();
    await this.#pools.close();
  }

  async getBuildProject(projectId: string): Promise<BuildProjectSettings> {
    const res = await this.#api('build', 'GET', `/api/v1/project/${id(projectId)}`, buildProjectDetailSchema);
    const d = res.cmd?.dockerbuild ?? null;
    return {
      sourceType: res.source?.type ?? null,
      repository: res.source?.config?.repository ?? null,
      branch: res.source?.config?.branch ?? null,
      dockerbuild: d
        ? {
            use: d.use,
            dockerfile: d.dockerfile,
            registry: d.registry,
            image: d.image,
            tag: d.tag,
            latest: d.latest,
          }
        : null,
    };
  }

  async changeBuildProject(projectId: string, change: BuildProjectChange): Promise<void> {
    const body: Record<string, unknown> = {};
    if (change.source) {
      body.source = {
        type: change.source.type,
        config: { repository: change.source.repository, branch: change.source.branch },
      };
    }
    if (change.dockerbuild) body.cmd = { dockerbuild: dropUndefined(change.dockerbuild) };
    await this.#api('build', 'PATCH', `/api/v1/project/${id(projectId)}`, anyResponseSchema, body);
  }

  /**
   * StartBuild as the SDK and the reference page define it: no body. A `source` block (an undocumented
   * branch or commit override) is what real SourceBuild ignores, so the commit to build is chosen by the
   * project's branch and the tag by `cmd.dockerbuild.tag`, both set beforehand.
   */
  async startBuild(projectId: string): Promise<{ buildId: string }> {
    const res = await this.#api(
      'build',
      'POST',
      `/api/v1/project/${id(projectId)}/build`,
      startBuildResponseSchema,
    );
    return { buildId: res.buildId };
  }

  async getBuild(projectId: string, buildId: string): Promise<BuildRun | null> {
    return (await this.listBuilds(projectId)).find((b) => b.buildId === buildId) ?? null;
  }

  async listBuilds(projectId: string): Promise<BuildRun[]> {
    const res = await this.#api(
      'build',
      'GET',
      `/api/v1/project/${id(projectId)}/history`,
      buildHistorySchema,
    );
    return res.history.map((run) => ({
      buildId: run.buildId,
      status: run.status,
      failedPhase: run.failedPhase ?? null,
      message: run.message ?? null,
      startedAt: run.begin,
      endedAt: run.end,
    }));
  }

  async listDeployHistories(
    projectId: string,
    page: { readonly pageNo?: number; readonly pageSize?: number } = {},
  ): Promise<DeployHistoryItem[]> {
    const pageSize = Math.min(DEPLOY_HISTORY_PAGE_MAX, Math.max(1, Math.trunc(page.pageSize ?? 100)));
    const pageNo = Math.max(1, Math.trunc(page.pageNo ?? 1));
    const path = `/api/v1/project/${id(projectId)}/history?pageNo=${pageNo}&pageSize=${pageSize}`;
    const res = await this.#api('deploy', 'GET', path, deployHistoryListSchema);
    return res.historyList.map((h) => ({
      historyId: h.id,
      stageId: h.stage?.id ?? null,
      scenarioId: h.scenario?.id ?? null,
      status: h.status,
      startedAt: h.startTime,
    }));
  }

  async cancel(target: CancelTarget): Promise<void> {
    if (target.kind === 'build') {
      await this.#api('build', 'DELETE', `/api/v1/project/${id(target.projectId)}/build`, anyResponseSchema, {
        buildId: target.buildId,
      });
      return;
    }
    const path = `/api/v1/project/${id(target.projectId)}/history/${id(target.historyId)}/cancel`;
    await this.#api('deploy', 'POST', path, anyResponseSchema);
  }

  async decideApproval(projectId: string, historyId: string, decision: 'accept' | 'reject'): Promise<void> {
    const path = `/api/v1/project/${id(projectId)}/history/${id(historyId)}/approval/${decision}`;
    await this.#api('deploy', 'POST', path, anyResponseSchema);
  }

  async runScenario(target: DeployTarget): Promise<{ historyId: string }> {
    const path = `/api/v1/project/${id(target.projectId)}/stage/${id(target.stageId)}/scenario/${id(target.scenarioId)}/deploy`;
    const res = await this.#api('deploy', 'POST', path, runScenarioResponseSchema, {});
    return { historyId: res.historyId };
  }

  async getDeployRun(projectId: string, historyId: string): Promise<DeployRun> {
    const path = `/api/v1/project/${id(projectId)}/history/${id(historyId)}`;
    const res = await this.#api('deploy', 'GET', path, deployHistoryDetailSchema);
    return {
      historyId: res.id,
      status: res.status,
      message: res.message ?? null,
      startedAt: res.startTime,
      endedAt: res.endTime,
    };
  }

  imageExists(
    registryHost: string,
    image: string,
    tag: string,
  ): Promise<{ exists: boolean; httpStatus: number }> {
    return boundary(() => this.#registry.imageExists(registryHost, image, tag));
  }

  listTags(registryHost: string, image: string): Promise<string[]> {
    return boundary(() => this.#registry.listTags(registryHost, image));
  }

  setManifestImage(
    repo: SourceRepo,
    manifestPath: string,
    imageRef: string,
    message: string,
  ): Promise<{ commitSha: string; changed: boolean; previousImage: string | null }> {
    return this.#git.setManifestImage(repo, manifestPath, imageRef, message);
  }

  pushBuildBranch(repo: SourceRepo, commitSha: string, branch: string): Promise<void> {
    return this.#git.pushBuildBranch(repo, commitSha, branch);
  }

  resolveRef(repo: SourceRepo, ref: string): Promise<CommitInfo | null> {
    return this.#git.resolveRef(repo, ref);
  }

  commitContains(repo: SourceRepo, commitSha: string, ancestorSha: string): Promise<boolean> {
    return this.#git.commitContains(repo, commitSha, ancestorSha);
  }

  async #timed(service: 'build' | 'deploy', send: () => Promise<RawResponse>): Promise<RawResponse> {
    const onRequest = this.#opts.onRequest;
    if (!onRequest) return send();
    const name = service === 'build' ? 'sourcebuild' : 'sourcedeploy';
    const t0 = performance.now();
    try {
      const res = await send();
      onRequest(name, String(res.status), (performance.now() - t0) / 1000);
      return res;
    } catch (err) {
      onRequest(name, err instanceof NcpError ? err.kind : 'error', (performance.now() - t0) / 1000);
      throw err;
    }
  }

  /** One signed call to SourceBuild or SourceDeploy, retried when it is a read, parsed with `schema`. */
  #api<S extends z.ZodType>(
    service: 'build' | 'deploy',
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const base = service === 'build' ? this.#opts.sourceBuildUrl : this.#opts.sourceDeployUrl;
    const url = new URL(base.replace(/\/+$/, '') + path);
    return boundary(() =>
      withRetries(method, this.#retry, async () => {
        const headers: Record<string, string> = {
          accept: 'application/json',
          ...signedHeaders({
            method,
            pathWithQuery: url.pathname + url.search,
            timestampMs: this.#now(),
            accessKey: this.#opts.accessKey,
            secretKey: this.#opts.secretKey,
          }),
        };
        const payload = body === undefined ? undefined : JSON.stringify(body);
        if (payload !== undefined) headers['content-type'] = 'application/json';
        const res = await this.#timed(service, () =>
          sendOnce(this.#pools, { method, url, headers, body: payload, timeoutMs: this.#opts.timeoutMs }),
        );
        if (res.status < 200 || res.status >= 300)
          throw httpError(method, url, res, ncpErrorCode, this.#now());
        const parsed = schema.safeParse(parseJson(res.body));
        if (!parsed.success) {
          throw new NcpError({
            kind: 'invalid_response',
            status: res.status,
            ncpCode: null,
            message: `unexpected answer: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
            retryable: false,
            call: `${method} ${url.pathname}`,
          });
        }
        return parsed.data;
      }),
    );
  }
}

function id(value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new KlepaasError({
      code: 'INVALID_INPUT',
      status: 400,
      message: {
        en: `Not a valid NCP id: ${JSON.stringify(value)}`,
        ko: `올바른 NCP ID가 아닙니다: ${JSON.stringify(value)}`,
      },
      hint: { en: 'Check the ids stored in the integration.', ko: '연동 설정에 저장된 ID를 확인하세요.' },
    });
  }
  return value;
}

async function boundary<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof NcpError ? toKlepaasError(err) : err;
  }
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function ncpErrorCode(body: string): { code: string | null; message: string | null } {
  const parsed = ncpErrorBodySchema.safeParse(parseJson(body));
  if (!parsed.success) return { code: null, message: null };
  const e = parsed.data.error;
  return { code: e.errorCode, message: [e.message, e.details].filter(Boolean).join(': ') || null };
}
