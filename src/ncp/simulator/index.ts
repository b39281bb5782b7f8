import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NcpClientOptions } from '../client.ts';
import { splitImageRef } from '../manifest.ts';
import { type AppBehaviour, SimApps } from './apps.ts';
import { GitRepos } from './git-repos.ts';
import { openSimPersistence } from './persist.ts';
import type { InjectedFailure, SimCall, SimRuntime } from './runtime.ts';
import { type DemoSeed, type DemoTarget, type SeedDemoOptions, seedDemo } from './seed.ts';
import { handle } from './server.ts';
import { type BuildProjectState, type BuildRecord, type DeployRecord, imageKey, SimState } from './state.ts';

export type { AppBehaviour } from './apps.ts';
export type { InjectedFailure, SimCall } from './runtime.ts';
export type { DemoSeed } from './seed.ts';
export { demoAnchorFromOldest } from './seed.ts';

/**
 * The settings that point a bot process at this simulator as if it were NCP: the standalone simulator prints
 * them, and tests and benchmarks hand them to the processes they start.
 */
export function ncpEnvOf(
  sim: Pick<
    NcpSimulator,
    | 'accessKey'
    | 'secretKey'
    | 'sourceBuildUrl'
    | 'sourceDeployUrl'
    | 'gitBaseUrl'
    | 'gitUsername'
    | 'gitPassword'
  >,
): Record<string, string> {
  return {
    NCP_ACCESS_KEY: sim.accessKey,
    NCP_SECRET_KEY: sim.secretKey,
    NCP_SOURCEBUILD_URL: sim.sourceBuildUrl,
    NCP_SOURCEDEPLOY_URL: sim.sourceDeployUrl,
    NCP_SOURCECOMMIT_GIT_URL: sim.gitBaseUrl,
    NCP_GIT_USERNAME: sim.gitUsername,
    NCP_GIT_PASSWORD: sim.gitPassword,
    NCR_INSECURE_HTTP: '1',
  };
}

export interface NcpSimulatorOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  /** Time each build or deploy phase takes (SIM_PHASE_MS). */
  readonly phaseMs?: number;
  readonly buildFailRate?: number;
  readonly deployFailRate?: number;
  /** Share of API and registry calls answered 429 or 500. */
  readonly errorRate?: number;
  readonly latencyMs?: number;
  readonly accessKey?: string;
  readonly secretKey?: string;
  readonly now?: () => number;
  readonly random?: () => number;
  /**
   * A folder the state (runs, registry, git repositories) is kept in across processes; without it the
   * state lives in a temporary folder removed on stop.
   */
  readonly stateDir?: string;
  /** With stateDir: run ids start above this (ids a database already holds from before the folder). */
  readonly idFloor?: number;
}

/** The simulator a test or the bot drives; the parts the demo seeding uses are declared with it (DemoTarget). */
export interface NcpSimulator extends DemoTarget {
  readonly baseUrl: string;
  readonly sourceBuildUrl: string;
  readonly sourceDeployUrl: string;
  readonly gitBaseUrl: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly gitUsername: string;
  readonly gitPassword: string;
  /** Options for an NcpClient talking to this simulator. */
  clientOptions(timeoutMs?: number): NcpClientOptions;
  /** A build project's settings as they stand (ChangeProject applied). */
  buildProject(id: string): BuildProjectState | null;
  readRepoFile(repo: string, branch: string, path: string): Promise<string | null>;
  deleteImage(image: string, tag: string): void;
  /** The commit a build of SourceBuild made `image:tag` from; null for an image pushed by hand. */
  imageBuiltFrom(image: string, tag: string): string | null;
  tags(image: string): string[];
  /** Every SourceDeploy run, oldest first. */
  deployRuns(): readonly DeployRecord[];
  /** Every SourceBuild run, oldest first: the commit and tag each started with. */
  buildRuns(): readonly BuildRecord[];
  /** The image the last successful deploy of a SourceDeploy project put in place. */
  runningImage(deployProjectId: string): string | null;
  runningTag(deployProjectId: string): string | null;
  /** Sets what runs, as if an earlier deploy had put it there (seeding). */
  setRunning(deployProjectId: string, image: string): void;
  /** The running app's health and Prometheus endpoints (`/apps/{deployProjectId}/...`). */
  appUrls(deployProjectId: string): { healthUrl: string; metricsUrl: string };
  /**
   * How the app of an image tag behaves (any repository). `afterDeploy`: only once a SourceDeploy run put it
   * in place, so a seeded "what runs now" stays healthy.
   */
  setAppBehaviour(tag: string, b: Partial<AppBehaviour> | null, opts?: { afterDeploy?: boolean }): void;
  failNextBuild(count?: number): void;
  failNextDeploy(count?: number): void;
  /** The next calls get these answers (429, 500, or a status with NCP's code) before any real handling. */
  failNextCalls(...failures: InjectedFailure[]): void;
  setLatency(ms: number): void;
  /** The next call matching `method` and the path ending is carried out, but its answer waits `ms`. */
  holdNextAnswer(method: string, pathEndsWith: string, ms: number): void;
  forceStatus(kind: 'build' | 'deploy', id: string, status: string): void;
  cancel(kind: 'build' | 'deploy', id: string): void;
  rejectPushes(repo: string, reject: boolean): Promise<void>;
  /** Every API and registry call answered, for assertions on retries. */
  readonly calls: readonly SimCall[];
  inFlight(): number;
  seedDemo(opts?: SeedDemoOptions): Promise<DemoSeed>;
  stop(): Promise<void>;
}

/** Starts the NCP simulator on 127.0.0.1: SourceBuild, SourceDeploy, NCR and SourceCommit (git) in one server. */
export async function startNcpSimulator(opts: NcpSimulatorOptions = {}): Promise<NcpSimulator> {
  const persist = opts.stateDir
    ? openSimPersistence(opts.stateDir, opts.idFloor === undefined ? {} : { idFloor: opts.idFloor })
    : null;
  const root = persist ? persist.gitRoot : await mkdtemp(join(tmpdir(), 'klepaas-sim-'));
  const repos = new GitRepos(root);
  const now = opts.now ?? Date.now;
  const accessKey = opts.accessKey ?? `SIM${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretKey = opts.secretKey ?? randomBytes(20).toString('hex');
  const state = new SimState(opts.phaseMs ?? 3000);
  persist?.attach(state, now);
  const save = () => persist?.save(state, now, port);
  const apps = new SimApps(state);
  const rt: SimRuntime = {
    state,
    apps,
    repos,
    accessKey,
    secretKey,
    // A Sub Account's git credentials: never the API keys, which SourceCommit git does not accept.
    gitUsername: 'klepaas-git',
    gitPassword: randomBytes(12).toString('hex'),
    now,
    wallNow: Date.now,
    random: opts.random ?? Math.random,
    buildFailRate: opts.buildFailRate ?? 0,
    deployFailRate: opts.deployFailRate ?? 0,
    errorRate: opts.errorRate ?? 0,
    latencyMs: opts.latencyMs ?? 0,
    hooks: { nextBuildFails: 0, nextDeployFails: 0, failNext: [], holdAnswers: [] },
    calls: [],
    tokens: new Set(),
    origin: '',
  };
  const server = createServer((req, res) => {
    handle(rt, req, res)
      .then(save)
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { errorCode: '900', message: String(err) } }));
      });
  });
  // A persisted simulator takes its last port again when free, so registry hosts stored with it stay valid.
  const wanted = opts.port || persist?.lastPort || 0;
  await listen(server, wanted).catch((err: unknown) =>
    wanted !== 0 && !opts.port && (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? listen(server, 0)
      : Promise.reject(err),
  );
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  rt.origin = baseUrl;

  const sim: NcpSimulator = {
    baseUrl,
    sourceBuildUrl: `${baseUrl}/sourcebuild`,
    sourceDeployUrl: `${baseUrl}/sourcedeploy`,
    registryHost: `127.0.0.1:${port}`,
    gitBaseUrl: `${baseUrl}/git`,
    accessKey,
    secretKey,
    gitUsername: rt.gitUsername,
    gitPassword: rt.gitPassword,
    clientOptions: (timeoutMs = 10_000) => ({
      mode: 'simulator',
      sourceBuildUrl: `${baseUrl}/sourcebuild`,
      sourceDeployUrl: `${baseUrl}/sourcedeploy`,
      sourceCommitGitUrl: `${baseUrl}/git`,
      accessKey,
      secretKey,
      gitUsername: rt.gitUsername,
      gitPassword: rt.gitPassword,
      timeoutMs,
      registryScheme: 'http',
    }),
    addBuildProject: (p) => state.addBuildProject(p),
    buildProject: (id) => state.buildProjects.get(id) ?? null,
    addScenario: (s) => void state.scenarios.set(state.scenarioKey(s.projectId, s.stageId, s.scenarioId), s),
    createRepo: (name, branch = 'main', projectId = '1011') => repos.create(name, branch, projectId),
    commit: (repo, branch, files, message, author) =>
      repos.commit(
        repo,
        branch,
        files,
        message,
        author ?? { name: 'Kim Dev', email: 'dev@klepaas.example', timestamp: Math.floor(Date.now() / 1000) },
      ),
    readRepoFile: async (repo, branch, path) => {
      const head = await repos.head(repo, branch);
      return head ? repos.readFile(repo, head, path) : null;
    },
    pushImage: (image, tag) => state.addImage(image, tag),
    deleteImage: (image, tag) => {
      state.settle(now());
      state.deleteImage(image, tag);
    },
    imageBuiltFrom: (image, tag) => {
      state.settle(now());
      return state.builtFrom.get(imageKey(image, tag)) ?? null;
    },
    deployRuns: () => [...state.deploys.values()],
    buildRuns: () => [...state.builds.values()],
    tags: (image) => {
      state.settle(now());
      return [...(state.registry.get(image) ?? [])].sort();
    },
    runningImage: (id) => {
      state.settle(now());
      return state.running.get(id) ?? null;
    },
    runningTag: (id) => {
      const image = sim.runningImage(id);
      return image ? splitImageRef(image).tag : null;
    },
    setRunning: (id, image) => {
      state.running.set(id, image);
      state.runningSince.set(id, now());
      state.deployedByRun.delete(id);
    },
    appUrls: (id) => ({
      healthUrl: `${baseUrl}/apps/${encodeURIComponent(id)}/healthz`,
      metricsUrl: `${baseUrl}/apps/${encodeURIComponent(id)}/metrics`,
    }),
    setAppBehaviour: (tag, b, o = {}) => {
      const map = o.afterDeploy ? apps.afterDeploy : apps.byTag;
      if (b === null) map.delete(tag);
      else map.set(tag, { ...apps.behaviourOf('x:none', false), ...b });
    },
    failNextBuild: (count = 1) => {
      rt.hooks.nextBuildFails += count;
    },
    failNextDeploy: (count = 1) => {
      rt.hooks.nextDeployFails += count;
    },
    failNextCalls: (...failures) => void rt.hooks.failNext.push(...failures),
    holdNextAnswer: (method, pathEndsWith, ms) =>
      void rt.hooks.holdAnswers.push({ method, pathEndsWith, ms }),
    setLatency: (ms) => {
      rt.latencyMs = ms;
    },
    forceStatus: (kind, id, status) => {
      const run = kind === 'build' ? state.builds.get(id) : state.deploys.get(id);
      if (!run) throw new Error(`no ${kind} ${id}`);
      run.forcedStatus = status;
    },
    cancel: (kind, id) => {
      const run = kind === 'build' ? state.builds.get(id) : state.deploys.get(id);
      if (!run) throw new Error(`no ${kind} ${id}`);
      run.canceledAt = now();
    },
    rejectPushes: (repo, reject) => repos.setRejectPushes(repo, reject),
    calls: rt.calls,
    inFlight: () => state.inFlight,
    seedDemo: async (opts) => {
      const demo = await seedDemo(sim, opts);
      save();
      return demo;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (persist) save();
      else await rm(root, { recursive: true, force: true });
    },
  };
  save();
  return sim;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
