import type { z } from 'zod';
import { KlepaasError } from '../domain/errors.ts';
import type { Logger } from '../log/logger.ts';
import type {
  BuildRun,
  CommitInfo,
  DeployRun,
  DeployTarget,
  NcpPort,
  SourceRepo,
} from '../services/ports.ts';
import { NcpError, toKlepaasError } from './errors.ts';
import { SourceCommitGit } from './git.ts';
import { httpError, PoolSet, type RetryDeps, realSleep, sendOnce, withRetries } from './http.ts';
import { RegistryClient } from './registry.ts';
import { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
import {
  buildHistorySchema,
  deployHistoryDetailSchema,
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
  /** SourceCommit git credentials (a sub-account's git password); the API key when absent. */
  readonly gitUsername?: string | undefined;
  readonly gitPassword?: string | undefined;
  /** Per-call limit (NCP_TIMEOUT_MS); git operations get several times this for clone and push. */
  readonly timeoutMs: number;
  /** `http` only for the simulator or a registry mirror on a private network. */
  readonly registryScheme?: 'https' | 'http';
  readonly retry?: Partial<RetryPolicy>;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly logger?: Logger;
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
  readonly #pools = new PoolSet();
  readonly #retry: RetryDeps;
  readonly #now: () => number;
  readonly #registry: RegistryClient;
  readonly #git: SourceCommitGit;

  constructor(opts: NcpClientOptions) {
    this.mode = opts.mode;
    this.#opts = opts;
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
      username: opts.gitUsername ?? opts.accessKey,
      password: opts.gitPassword ?? opts.secretKey,
      timeoutMs: Math.max(opts.timeoutMs * 3, 30_000),
      author: { name: 'klepaas-bot', email: 'klepaas-bot@users.noreply.klepaas' },
    });
  }

  async close(): Promise<void> {
    await this.#git.close();
    await this.#pools.close();
  }

  async startBuild(
    projectId: string,
    source: { ref: string | null; commitSha: string | null },
  ): Promise<{ buildId: string }> {
    // Only what is asked for is overridden; the project's own settings stand for the rest.
    const config: Record<string, string> = {};
    if (source.ref) config.branch = source.ref;
    if (source.commitSha) config.commitId = source.commitSha;
    const body = Object.keys(config).length > 0 ? { source: { config } } : {};
    const res = await this.#api(
      'build',
      'POST',
      `/api/v1/project/${id(projectId)}/build`,
      startBuildResponseSchema,
      body,
    );
    return { buildId: res.buildId };
  }

  async getBuild(projectId: string, buildId: string): Promise<BuildRun | null> {
    const res = await this.#api(
      'build',
      'GET',
      `/api/v1/project/${id(projectId)}/history`,
      buildHistorySchema,
    );
    const run = res.history.find((h) => h.buildId === buildId);
    if (!run) return null;
    return {
      buildId: run.buildId,
      status: run.status,
      failedPhase: run.failedPhase ?? null,
      message: run.message ?? null,
      startedAt: run.begin,
      endedAt: run.end,
    };
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
  ): Promise<{ commitSha: string; changed: boolean }> {
    return this.#git.setManifestImage(repo, manifestPath, imageRef, message);
  }

  resolveRef(repo: SourceRepo, ref: string): Promise<CommitInfo | null> {
    return this.#git.resolveRef(repo, ref);
  }

  /** One signed call to SourceBuild or SourceDeploy, retried when it is a read, parsed with `schema`. */
  #api<S extends z.ZodType>(
    service: 'build' | 'deploy',
    method: 'GET' | 'POST',
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
        const res = await sendOnce(this.#pools, {
          method,
          url,
          headers,
          body: payload,
          timeoutMs: this.#opts.timeoutMs,
        });
        if (res.status < 200 || res.status >= 300) throw httpError(method, url, res, ncpErrorCode);
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
