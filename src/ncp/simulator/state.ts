import { buildStatusTable, deployStatusTable } from '../status.ts';

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
  readonly branch: string;
  readonly image: string;
}

export interface DeployScenario {
  readonly projectId: string;
  readonly stageId: string;
  readonly scenarioId: string;
  readonly name: string;
  readonly repoName: string;
  readonly branch: string;
  readonly manifestPath: string;
}

export interface BuildRecord {
  readonly buildId: string;
  readonly projectId: string;
  readonly commitSha: string;
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
  readonly startedAt: number;
  readonly willFail: boolean;
  forcedStatus: string | null;
  canceledAt: number | null;
  settled: boolean;
}

export interface RunView {
  readonly status: string;
  readonly failedPhase: string | null;
  readonly endedAt: number | null;
}

export class SimState {
  readonly phaseMs: number;
  readonly buildProjects = new Map<string, BuildProject>();
  readonly scenarios = new Map<string, DeployScenario>();
  readonly builds = new Map<string, BuildRecord>();
  readonly deploys = new Map<string, DeployRecord>();
  /** NCR: image name -> tags. */
  readonly registry = new Map<string, Set<string>>();
  /** Deploy project id -> image running there now. */
  readonly running = new Map<string, string>();
  #unsettledBuilds: BuildRecord[] = [];
  #unsettledDeploys: DeployRecord[] = [];
  #seq = 1000;
  /** Where ids come from when several processes share one state (persist.ts); else a counter. */
  idSource: (() => number) | null = null;

  constructor(phaseMs: number) {
    this.phaseMs = phaseMs;
  }

  nextId(): string {
    this.#seq = this.idSource ? this.idSource() : this.#seq + 1;
    return String(this.#seq);
  }

  scenarioKey(projectId: string, stageId: string, scenarioId: string): string {
    return `${projectId}/${stageId}/${scenarioId}`;
  }

  addBuild(b: Omit<BuildRecord, 'forcedStatus' | 'canceledAt' | 'settled'>): BuildRecord {
    const rec: BuildRecord = { ...b, forcedStatus: null, canceledAt: null, settled: false };
    this.builds.set(rec.buildId, rec);
    this.#unsettledBuilds.push(rec);
    return rec;
  }

  addDeploy(d: Omit<DeployRecord, 'forcedStatus' | 'canceledAt' | 'settled'>): DeployRecord {
    const rec: DeployRecord = { ...d, forcedStatus: null, canceledAt: null, settled: false };
    this.deploys.set(rec.historyId, rec);
    this.#unsettledDeploys.push(rec);
    return rec;
  }

  /** prepare -> upload -> success, or prepare -> fail (failedPhase build), one phase each. */
  buildView(b: BuildRecord, now: number): RunView {
    if (b.forcedStatus)
      return {
        status: b.forcedStatus,
        failedPhase: b.forcedStatus === 'fail' ? 'build' : null,
        endedAt: terminalAt(buildStatusTable, b.forcedStatus, now),
      };
    const t = now - b.startedAt;
    const end = b.startedAt + (b.willFail ? 1 : 2) * this.phaseMs;
    if (b.canceledAt !== null && b.canceledAt < end)
      return { status: 'canceled', failedPhase: null, endedAt: b.canceledAt };
    if (t < this.phaseMs) return { status: 'prepare', failedPhase: null, endedAt: null };
    if (b.willFail) return { status: 'fail', failedPhase: 'build', endedAt: end };
    if (t < 2 * this.phaseMs) return { status: 'upload', failedPhase: null, endedAt: null };
    return { status: 'success', failedPhase: null, endedAt: end };
  }

  /** pending -> inprogress -> success or fail, one phase each. */
  deployView(d: DeployRecord, now: number): RunView {
    if (d.forcedStatus)
      return {
        status: d.forcedStatus,
        failedPhase: null,
        endedAt: terminalAt(deployStatusTable, d.forcedStatus, now),
      };
    const end = d.startedAt + 2 * this.phaseMs;
    if (d.canceledAt !== null && d.canceledAt < end)
      return { status: 'canceled', failedPhase: null, endedAt: d.canceledAt };
    const t = now - d.startedAt;
    if (t < this.phaseMs) return { status: 'pending', failedPhase: null, endedAt: null };
    if (t < 2 * this.phaseMs) return { status: 'inprogress', failedPhase: null, endedAt: null };
    return { status: d.willFail || d.image === null ? 'fail' : 'success', failedPhase: null, endedAt: end };
  }

  /** Applies what finished runs leave behind, in start order so the last deploy to finish wins. */
  settle(now: number): void {
    if (this.#unsettledBuilds.length > 0) {
      this.#unsettledBuilds = this.#unsettledBuilds.filter((b) => {
        const v = this.buildView(b, now);
        if (v.endedAt === null) return true;
        b.settled = true;
        const project = this.buildProjects.get(b.projectId);
        if (v.status === 'success' && project) this.addImage(project.image, b.commitSha.slice(0, 7));
        return false;
      });
    }
    if (this.#unsettledDeploys.length > 0) {
      this.#unsettledDeploys = this.#unsettledDeploys.filter((d) => {
        const v = this.deployView(d, now);
        if (v.endedAt === null) return true;
        d.settled = true;
        if (v.status === 'success' && d.image) this.running.set(d.projectId, d.image);
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

  get inFlight(): number {
    return this.#unsettledBuilds.length + this.#unsettledDeploys.length;
  }
}

function terminalAt(table: Readonly<Record<string, string>>, status: string, now: number): number | null {
  const phase = Object.hasOwn(table, status) ? table[status] : undefined;
  return phase && phase !== 'running' ? now : null;
}
