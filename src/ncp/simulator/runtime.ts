import type { SimApps } from './apps.ts';
import type { GitRepos } from './git-repos.ts';
import type { SimState } from './state.ts';

// The simulator's shared shapes, apart from the handlers, so the registry and the server can both use them
// without importing each other.

export interface SimRuntime {
  readonly state: SimState;
  readonly apps: SimApps;
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
    /** Answered, in order, before any real handling (429, 500, or a status with NCP's code). */
    failNext: InjectedFailure[];
    /**
     * Calls handled in full (the run exists) whose answer is held back `ms`: NCP accepted the start but the
     * client never heard it (a timeout, a crash mid-call). One entry per matching call, in order.
     */
    holdAnswers: HeldAnswer[];
  };
  readonly calls: SimCall[];
  readonly tokens: Set<string>;
  origin: string;
}

/** One API or registry call as answered; `body` is the parsed JSON body of SourceBuild/SourceDeploy calls. */
export interface SimCall {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body?: unknown;
}

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** A call answered before any real handling: a status alone, or with NCP's code and a Retry-After. */
/** A call whose answer is delayed after it was handled: `method` and a path ending. */
export interface HeldAnswer {
  readonly method: string;
  readonly pathEndsWith: string;
  readonly ms: number;
}

export type InjectedFailure =
  | number
  | {
      status: number;
      errorCode: string;
      retryAfterS?: number;
      /** Only a call with this method takes it; calls with other methods pass by. */
      method?: string;
    };
