import { buildStatusTable, deployStatusTable } from '../../domain/ncp-status.ts';

/**
 * The simulator's runs. A run stores when it started and how it will end; its status is computed from
 * the clock when read, so no timer exists per run and a thousand runs in flight cost nothing.
 * Effects of finishing (an image pushed, a new image running) are applied by `settle`, called before
 * every answer.
 */
export interface BuildProject {
  readonly id: string;
  readonly name: string;
  readonly repoName: string;
  /** The branch the project builds the head of (`source.config.branch`). */
  readonly branch: string;
  /** `cmd.dockerbuild.image`; the tag starts as `latest` until ChangeProject sets one. */
  readonly image: string;
  readonly registry?: string;
  readonly tag?: string;
}

/** A build project's settings as GetProject shows them and ChangeProject changes them. */
export interface BuildProjectState {
  readonly id: string;
  readonly name: string;
  readonly sourceType: string;
  repository: string;
  branch: string;
  dockerbuild: {
    use: boolean;
    dockerfile: string;
    registry: string;
    image: string;
    tag: string;
    latest: boolean;
  };
}

export interface DeployScenario {
  readonly projectId: string;
  readonly stageId: string;
  readonly scenarioId: string;
  readonly name: string;
  readonly repoName: string;
  readonly branch: string;
  readonly manifestPath: string;
  /** The stage asks an approver first: runs wait in `pending` until accepted or rejected. */
  readonly approval?: boolean;
}

export interface BuildRecord {
  readonly buildId: string;
  readonly projectId: string;
  /** The head of the configured branch when the build started: what the image is built from. */
  readonly commitSha: string | null;
  /** Image name and tag from the project's `cmd.dockerbuild` at the start. */
  readonly image: string;
  readonly tag: string;
  readonly startedAt: number;
  readonly willFail: boolean;
  forcedStatus: string | null;
  canceledAt: number | null;
  settled: boolean;
}

export interface DeployRecord {
  readonly historyId: string;
  readonly projectId: string;
  readonly stageId: string;
  readonly scenarioId: string;
  /** Image found in the manifest at the run's start; null when the manifest could not be read. */
  readonly image: string | null;
  /** Whether that image was in NCR when the run started (a missing one cannot be pulled: the run fails). */
  readonly imageExisted: boolean;
  readonly startedAt: number;
  readonly willFail: boolean;
  readonly needsApproval: boolean;
  approvedAt: number | null;
  rejectedAt: number | null;
  forcedStatus: string | null;
  canceledAt: number | null;
  settled: boolean;
}

export interface RunView {
  readonly status: string | null;
  readonly failedPhase: string | null;
  readonly endedAt: number | null;
}

export const imageKey = (image: string, tag: string): string => `${image}:${tag}`;

export class SimState {
  readonly phaseMs: number;
  readonly buildProjects = new Map<string, BuildProjectState>();
  readonly scenarios = new Map<string, DeployScenario>();
  readonly builds = new Map<string, BuildRecord>();
  readonly deploys = new Map<string, DeployRecord>();
  /** NCR: image name -> tags. */
  readonly registry = new Map<string, Set<string>>();
  /** `image:tag` -> the commit its build built (images pushed by hand have none). */
  readonly builtFrom = new Map<string, string>();
  /** Deploy project id -> image running there now. */
  readonly running = new Map<string, string>();
  /** Deploy project id -> when the running image started (simulator clock): its app's uptime. */
  readonly runningSince = new Map<string, number>();
  /** Deploy projects whose running image a SourceDeploy run put there (not seeding). */
  readonly deployedByRun = new Set<string>();
  #unsettledBuilds: BuildRecord[] = [];
  #unsettledDeploys: DeployRecord[] = [];
  #seq: number;
  /** Where ids come from when several processes share one state (persist.ts); else a counter. */
  idSource: (() => number) | null = null;

  /** `firstId`: ids count up from here; a later start must not hand out ids an earlier one did. */
  constructor(phaseMs: number, firstId = 1000) {
    this.phaseMs = phaseMs;
    this.#seq = firstId;
  }

  nextId(): string {
    this.#seq = this.idSource ? this.idSource() : this.#seq + 1;
    return String(this.#seq);
  }

  scenarioKey(projectId: string, stageId: string, scenarioId: string): string {
    return `${projectId}/${stageId}/${scenarioId}`;
  }

  addBuildProject(p: BuildProject): void {
    this.buildProjects.set(p.id, {
      id: p.id,
      name: p.name,
      sourceType: 'SourceCommit',
      repository: p.repoName,
      branch: p.branch,
      dockerbuild: {
        use: true,
        dockerfile: 'Dockerfile',
        registry: p.registry ?? 'klepaas',
        image: p.image,
        tag: p.tag ?? 'latest',
        latest: false,
      },
    });
  }

  addBuild(b: Omit<BuildRecord, 'forcedStatus' | 'canceledAt' | 'settled'>): BuildRecord {
    const rec: BuildRecord = { ...b, forcedStatus: null, canceledAt: null, settled: false };
    this.builds.set(rec.buildId, rec);
    this.#unsettledBuilds.push(rec);
    return rec;
  }

  addDeploy(
    d: Omit<DeployRecord, 'forcedStatus' | 'canceledAt' | 'settled' | 'approvedAt' | 'rejectedAt'>,
  ): DeployRecord {
    const rec: DeployRecord = {
      ...d,
      approvedAt: null,
      rejectedAt: null,
      forcedStatus: null,
      canceledAt: null,
      settled: false,
    };
    this.deploys.set(rec.historyId, rec);
    this.#unsettledDeploys.push(rec);
    return rec;
  }

  /**
   * null (no job yet, as documented) -> prepare -> upload -> success, or -> fail (failedPhase build).
   * The first third of the prepare phase shows null.
   */
  buildView(b: BuildRecord, now: number): RunView {
    if (b.forcedStatus)
      return {
        status: b.forcedStatus,
        failedPhase: b.forcedStatus === 'fail' ? 'build' : null,
        endedAt: terminalAt(buildStatusTable, b.forcedStatus, now),
      };
    const t = now - b.startedAt;
    const fails = b.willFail || b.commitSha === null;
    const end = b.startedAt + (fails ? 1 : 2) * this.phaseMs;
    if (b.canceledAt !== null && b.canceledAt < end)
      return { status: 'canceled', failedPhase: null, endedAt: b.canceledAt };
    if (t < this.phaseMs / 3) return { status: null, failedPhase: null, endedAt: null };
    if (t < this.phaseMs) return { status: 'prepare', failedPhase: null, endedAt: null };
    if (fails)
      return { status: 'fail', failedPhase: b.commitSha === null ? 'source' : 'build', endedAt: end };
    if (t < 2 * this.phaseMs) return { status: 'upload', failedPhase: null, endedAt: null };
    return { status: 'success', failedPhase: null, endedAt: end };
  }

  /** [pending until an approver decides ->] inprogress (two phases) -> success or fail. */
  deployView(d: DeployRecord, now: number): RunView {
    if (d.forcedStatus)
      return {
        status: d.forcedStatus,
        failedPhase: null,
        endedAt: terminalAt(deployStatusTable, d.forcedStatus, now),
      };
    if (d.needsApproval && d.rejectedAt !== null)
      return { status: 'reject', failedPhase: null, endedAt: d.rejectedAt };
    if (d.needsApproval && d.approvedAt === null) {
      if (d.canceledAt !== null) return { status: 'canceled', failedPhase: null, endedAt: d.canceledAt };
      return { status: 'pending', failedPhase: null, endedAt: null };
    }
    const from = d.approvedAt ?? d.startedAt;
    const end = from + 2 * this.phaseMs;
    if (d.canceledAt !== null && d.canceledAt < end)
      return { status: 'canceled', failedPhase: null, endedAt: d.canceledAt };
    if (now < end) return { status: 'inprogress', failedPhase: null, endedAt: null };
    const ok = !d.willFail && d.image !== null && d.imageExisted;
    return { status: ok ? 'success' : 'fail', failedPhase: null, endedAt: end };
  }

  /** Applies what finished runs leave behind, in start order so the last deploy to finish wins. */
  settle(now: number): void {
    if (this.#unsettledBuilds.length > 0) {
      this.#unsettledBuilds = this.#unsettledBuilds.filter((b) => {
        const v = this.buildView(b, now);
        if (v.endedAt === null) return true;
        b.settled = true;
        // Only the tag configured at the start is pushed: nothing else names the image.
        if (v.status === 'success' && b.commitSha) {
          this.addImage(b.image, b.tag);
          this.builtFrom.set(imageKey(b.image, b.tag), b.commitSha);
        }
        return false;
      });
    }
    if (this.#unsettledDeploys.length > 0) {
      this.#unsettledDeploys = this.#unsettledDeploys.filter((d) => {
        const v = this.deployView(d, now);
        if (v.endedAt === null) return true;
        d.settled = true;
        if (v.status === 'success' && d.image) {
          this.running.set(d.projectId, d.image);
          this.runningSince.set(d.projectId, v.endedAt ?? now);
          this.deployedByRun.add(d.projectId);
        }
        return false;
      });
    }
  }

  addImage(image: string, tag: string): void {
    let tags = this.registry.get(image);
    if (!tags) {
      tags = new Set();
      this.registry.set(image, tags);
    }
    tags.add(tag);
  }

  hasImage(image: string, tag: string): boolean {
    return this.registry.get(image)?.has(tag) ?? false;
  }

  deleteImage(image: string, tag: string): void {
    this.registry.get(image)?.delete(tag);
    this.builtFrom.delete(imageKey(image, tag));
  }

  get inFlight(): number {
    return this.#unsettledBuilds.length + this.#unsettledDeploys.length;
  }
}

function terminalAt(table: Readonly<Record<string, string>>, status: string, now: number): number | null {
  const phase = Object.hasOwn(table, status) ? table[status] : undefined;
  return phase && phase !== 'running' ? now : null;
}
