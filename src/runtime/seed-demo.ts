import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Config } from '../config/load.ts';
import { highestNcpRunNumber } from '../db/ncp-ids.ts';
import type { Integration } from '../domain/deployment.ts';
import { KlepaasError } from '../domain/errors.ts';
import {
  type DemoSeed,
  demoAnchorFromOldest,
  type NcpSimulator,
  startNcpSimulator,
} from '../ncp/simulator/index.ts';
import type { DeploymentStore, IntegrationStore } from '../services/ports.ts';
import { withLockFile } from './file-lock.ts';

export interface DemoStores {
  readonly integrations: IntegrationStore;
  readonly deployments: DeploymentStore;
}

/** `requestedBy` of the seeded records, so a later start can tell them apart. */
export const DEMO_SEEDER = 'demo-seed';

/** Minutes between a demo commit and its (simulated) successful deploy. */
const DEPLOY_LAG_MS = 10 * 60_000;

/**
 * Puts the simulator's demo project in the database: the integration `K-Le-PaaS/test01` (updated every
 * start, since the simulator's registry host carries a fresh port) and one successful deploy per demo
 * commit, oldest first so the newest is what runs. Safe at every start: each deploy has a fixed request
 * key, so a second run finds it instead of adding another.
 */
export function seedDemoData(
  stores: DemoStores,
  demo: DemoSeed,
): { integration: Integration; inserted: number } {
  const integration = stores.integrations.upsert({
    owner: demo.owner,
    repo: demo.repo,
    scProjectId: demo.scProjectId,
    scRepoName: demo.scRepoName,
    buildProjectId: demo.buildProjectId,
    deployProjectId: demo.deployProjectId,
    deployStageId: demo.deployStageId,
    deployScenarioId: demo.deployScenarioId,
    registryHost: demo.registryHost,
    imageName: demo.imageName,
    defaultBranch: demo.defaultBranch,
    manifestPath: demo.manifestPath,
  });
  let inserted = 0;
  for (const c of [...demo.commits].reverse()) {
    const key = `demo-seed:${demo.owner}/${demo.repo}:${c.sha}`;
    if (stores.deployments.findByRequestKey(key)) continue;
    const deployedAt = new Date(c.time.getTime() + DEPLOY_LAG_MS);
    const created = stores.deployments.create({
      owner: demo.owner,
      repo: demo.repo,
      commitSha: c.sha,
      commitMessage: c.message,
      ref: demo.defaultBranch,
      operation: 'deploy',
      rollbackFromId: null,
      status: 'success',
      image: `${demo.registryHost}/${demo.imageName}`,
      imageTag: c.imageTag,
      requestKey: key,
      requestedBy: DEMO_SEEDER,
      requestedVia: 'cli',
      lang: 'en',
      slackChannel: null,
      slackThreadTs: null,
    });
    stores.deployments.update(created.id, {
      ncpStatus: 'success',
      startedAt: c.time,
      deployedAt,
      completedAt: deployedAt,
      durationMs: DEPLOY_LAG_MS,
    });
    inserted++;
  }
  return { integration, inserted };
}

/**
 * Where the simulator keeps its state for a database: beside the file, so every process on that database
 * talks to the same simulated NCP. null for an in-memory database, whose simulator lives and dies with it.
 */
export function simulatorStateDir(databasePath: string): string | null {
  if (databasePath === ':memory:' || databasePath.startsWith('file:')) return null;
  return `${resolve(databasePath)}-simulator`;
}

export interface SeedTarget {
  readonly stores: DemoStores;
  readonly sqlite: Database.Database;
  readonly path: string;
}

const DEMO_FILE = 'demo.json';

const savedDemoSchema = z.object({
  owner: z.string(),
  repo: z.string(),
  scProjectId: z.string(),
  scRepoName: z.string(),
  buildProjectId: z.string(),
  deployProjectId: z.string(),
  deployStageId: z.string(),
  deployScenarioId: z.string(),
  registryHost: z.string(),
  imageName: z.string(),
  defaultBranch: z.string(),
  manifestPath: z.string(),
  commits: z.array(
    z.object({
      sha: z.string(),
      message: z.string(),
      time: z.coerce.date(),
      imageTag: z.string(),
      hasImage: z.boolean(),
    }),
  ),
  headSha: z.string(),
  missingImageSha: z.string(),
});

/**
 * Starts the simulator for this database and seeds the demo project once: the first start of a database
 * seeds the simulator's folder and the database; every later one (and every process starting at the same
 * time, which waits for the lock) finds the seed and only points the integration at its own port. The
 * seed is recorded last, so a start killed half-way is redone from a clean folder by the next one.
 */
export async function startSeededSimulator(
  config: Config,
  target: SeedTarget,
): Promise<{ sim: NcpSimulator; demo: DemoSeed }> {
  const dir = simulatorStateDir(target.path);
  if (!dir) {
    const sim = await startNcpSimulator(config.simulator);
    return seedInto(sim, target, null).catch(async (err: unknown) => {
      await sim.stop();
      throw err;
    });
  }
  return startInFolder(config, target, dir).catch((err: unknown) => {
    throw folderFailure(dir, err) ?? err;
  });
}

const FOLDER_ERRORS = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EDQUOT']);

/** A file error in the simulator's folder, said as a DATABASE_PATH problem since the folder sits beside it. */
function folderFailure(dir: string, err: unknown): KlepaasError | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !FOLDER_ERRORS.has(code)) return null;
  const reason =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? { en: 'the disk is full', ko: '디스크가 가득 찼습니다' }
      : { en: `it cannot be written (${code})`, ko: `쓸 수 없습니다 (${code})` };
  return new KlepaasError({
    code: 'STORAGE_FAILED',
    status: 503,
    message: {
      en: `DATABASE_PATH: the built-in simulator keeps its state in ${dir}, beside the database, and ${reason.en}.`,
      ko: `DATABASE_PATH: 내장 시뮬레이터는 데이터베이스 옆의 ${dir}에 상태를 저장하는데, ${reason.ko}.`,
    },
    hint: {
      en: 'Point DATABASE_PATH at a writable folder with free space.',
      ko: 'DATABASE_PATH를 공간이 남아 있고 쓸 수 있는 폴더로 지정하세요.',
    },
    details: { path: dir, cause: code },
    cause: err,
  });
}

async function startInFolder(
  config: Config,
  target: SeedTarget,
  dir: string,
): Promise<{ sim: NcpSimulator; demo: DemoSeed }> {
  mkdirSync(dir, { recursive: true });
  return withLockFile(join(dir, 'seed.lock'), async () => {
    const saved = readSavedDemo(dir);
    if (!saved) {
      // Nothing but a half-made seed can be here; the id counter stays, so ids never go back.
      rmSync(join(dir, 'git'), { recursive: true, force: true });
      rmSync(join(dir, 'state.json'), { force: true });
    }
    const sim = await startNcpSimulator({
      ...config.simulator,
      stateDir: dir,
      idFloor: highestNcpRunNumber(target.sqlite),
    });
    return seedInto(sim, target, { dir, saved }).catch(async (err: unknown) => {
      await sim.stop();
      throw err;
    });
  });
}

async function seedInto(
  sim: NcpSimulator,
  target: SeedTarget,
  folder: { dir: string; saved: DemoSeed | null } | null,
): Promise<{ sim: NcpSimulator; demo: DemoSeed }> {
  let demo: DemoSeed;
  if (folder?.saved) {
    demo = { ...folder.saved, registryHost: sim.registryHost };
  } else {
    // The demo's history is anchored at its first seeding, so a new folder recreates the same commits.
    const oldest = target.stores.deployments
      .history('K-Le-PaaS', 'test01', 1000)
      .filter((d) => d.requestedBy === DEMO_SEEDER && d.startedAt)
      .at(-1)?.startedAt;
    demo = await sim.seedDemo(oldest ? { anchor: demoAnchorFromOldest(oldest) } : {});
    if (folder) writeSavedDemo(folder.dir, demo);
  }
  seedDemoData(target.stores, demo);
  return { sim, demo };
}

function readSavedDemo(dir: string): DemoSeed | null {
  let text: string;
  try {
    text = readFileSync(join(dir, DEMO_FILE), 'utf8');
  } catch {
    return null;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = savedDemoSchema.safeParse(raw);
  if (!parsed.success || !existsSync(join(dir, 'git', `${parsed.data.scRepoName}.git`))) return null;
  return parsed.data;
}

function writeSavedDemo(dir: string, demo: DemoSeed): void {
  const file = join(dir, DEMO_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(demo));
  renameSync(`${file}.tmp`, file);
}
