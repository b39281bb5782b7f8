import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { SimState } from './state.ts';

/**
 * The simulator's state kept in a folder (next to the bot's database), so every process started on that
 * database sees the same NCP: runs started by one process are answered by the next, and run ids never
 * restart at 1001 (which collided with the ids the database already held). Several processes may run at
 * once: each keeps its own copy in memory, allocates ids through one counter file, and merges its runs
 * with the file's on every save, under a short lock. Git repositories live in `git/` of the same folder.
 */
export interface SimPersistence {
  readonly dir: string;
  readonly gitRoot: string;
  /** The port the last simulator on this folder listened on, tried first so registry hosts stay valid. */
  readonly lastPort: number | null;
  /** Loads the folder's state into `state` and makes its ids come from the shared counter. */
  attach(state: SimState, now: () => number): void;
  /** Writes `state` merged with what other processes wrote; cheap when nothing changed. */
  save(state: SimState, now: () => number, port: number): void;
}

const buildSchema = z.object({
  buildId: z.string(),
  projectId: z.string(),
  commitSha: z.string().nullable(),
  image: z.string(),
  tag: z.string(),
  startedAt: z.number(),
  willFail: z.boolean(),
  forcedStatus: z.string().nullable(),
  canceledAt: z.number().nullable(),
});

const deploySchema = z.object({
  historyId: z.string(),
  projectId: z.string(),
  stageId: z.string(),
  scenarioId: z.string(),
  image: z.string().nullable(),
  imageExisted: z.boolean(),
  startedAt: z.number(),
  willFail: z.boolean(),
  needsApproval: z.boolean(),
  approvedAt: z.number().nullable(),
  rejectedAt: z.number().nullable(),
  forcedStatus: z.string().nullable(),
  canceledAt: z.number().nullable(),
});

// Version 2: build projects carry their SourceBuild settings, runs their image and approval; a version-1
// folder does not parse and the simulator starts it afresh.
const snapshotSchema = z.object({
  version: z.literal(2),
  port: z.number().int().nullable(),
  buildProjects: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      sourceType: z.string(),
      repository: z.string(),
      branch: z.string(),
      dockerbuild: z.object({
        use: z.boolean(),
        dockerfile: z.string(),
        registry: z.string(),
        image: z.string(),
        tag: z.string(),
        latest: z.boolean(),
      }),
    }),
  ),
  scenarios: z.array(
    z.object({
      projectId: z.string(),
      stageId: z.string(),
      scenarioId: z.string(),
      name: z.string(),
      repoName: z.string(),
      branch: z.string(),
      manifestPath: z.string(),
      approval: z.boolean().optional(),
    }),
  ),
  builds: z.array(buildSchema),
  deploys: z.array(deploySchema),
  registry: z.array(z.tuple([z.string(), z.array(z.string())])),
  builtFrom: z.array(z.tuple([z.string(), z.string()])),
  running: z.array(z.tuple([z.string(), z.string()])),
});
type Snapshot = z.infer<typeof snapshotSchema>;

const FIRST_ID = 1000;
const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

export function openSimPersistence(dir: string, opts: { idFloor?: number } = {}): SimPersistence {
  mkdirSync(join(dir, 'git'), { recursive: true });
  const stateFile = join(dir, 'state.json');
  const idFile = join(dir, 'next-id');
  const lockFile = join(dir, 'state.lock');
  let written = '';
  const initial = readSnapshot(stateFile);

  const nextId = (): number =>
    withFileLock(lockFile, () => {
      const last = readNumber(idFile) ?? FIRST_ID;
      const id = Math.max(last, opts.idFloor ?? FIRST_ID) + 1;
      atomicWrite(idFile, String(id));
      return id;
    });

  return {
    dir,
    gitRoot: join(dir, 'git'),
    lastPort: initial?.port ?? null,
    attach(state, now) {
      state.idSource = nextId;
      if (initial) merge(state, initial, now);
    },
    save(state, now, port) {
      const mine = snapshotOf(state, port);
      const text = JSON.stringify(mine);
      if (text === written) return;
      withFileLock(lockFile, () => {
        const theirs = readSnapshot(stateFile);
        if (theirs) merge(state, theirs, now);
        const merged = JSON.stringify(snapshotOf(state, port));
        atomicWrite(stateFile, merged);
        written = merged;
      });
    },
  };
}

function snapshotOf(state: SimState, port: number): Snapshot {
  return {
    version: 2,
    port,
    buildProjects: [...state.buildProjects.values()],
    scenarios: [...state.scenarios.values()],
    builds: [...state.builds.values()].map(({ settled: _s, ...b }) => b),
    deploys: [...state.deploys.values()].map(({ settled: _s, ...d }) => d),
    registry: [...state.registry].map(([image, tags]) => [image, [...tags].sort()]),
    builtFrom: [...state.builtFrom],
    running: [...state.running],
  };
}

/**
 * Adds what `snap` knows and `state` does not. Runs are immutable apart from a forced status or a cancel,
 * kept from whichever side has one. What runs per project is recomputed from the finished deploys of both,
 * the last to end winning, since each side's `running` only reflects the runs it saw end.
 */
function merge(state: SimState, snap: Snapshot, now: () => number): void {
  // A project's settings are set again (GetProject, ChangeProject) before every build, so the copy this
  // process holds may stay as it is; only projects it never saw are taken.
  for (const p of snap.buildProjects) if (!state.buildProjects.has(p.id)) state.buildProjects.set(p.id, p);
  for (const s of snap.scenarios) {
    const key = state.scenarioKey(s.projectId, s.stageId, s.scenarioId);
    if (!state.scenarios.has(key)) state.scenarios.set(key, s);
  }
  for (const [image, tags] of snap.registry) for (const tag of tags) state.addImage(image, tag);
  for (const [key, sha] of snap.builtFrom) if (!state.builtFrom.has(key)) state.builtFrom.set(key, sha);
  for (const [project, image] of snap.running)
    if (!state.running.has(project)) state.running.set(project, image);
  for (const b of snap.builds) {
    const known = state.builds.get(b.buildId);
    if (!known) {
      const rec = state.addBuild(b);
      rec.forcedStatus = b.forcedStatus;
      rec.canceledAt = b.canceledAt;
    } else {
      known.forcedStatus ??= b.forcedStatus;
      known.canceledAt ??= b.canceledAt;
    }
  }
  let imported = false;
  for (const d of snap.deploys) {
    const known = state.deploys.get(d.historyId);
    if (!known) {
      const rec = state.addDeploy(d);
      rec.forcedStatus = d.forcedStatus;
      rec.canceledAt = d.canceledAt;
      rec.approvedAt = d.approvedAt;
      rec.rejectedAt = d.rejectedAt;
      imported = true;
    } else {
      known.forcedStatus ??= d.forcedStatus;
      known.canceledAt ??= d.canceledAt;
      known.approvedAt ??= d.approvedAt;
      known.rejectedAt ??= d.rejectedAt;
    }
  }
  const t = now();
  state.settle(t);
  if (!imported) return;
  const last = new Map<string, { endedAt: number; startedAt: number; image: string }>();
  for (const d of state.deploys.values()) {
    const v = state.deployView(d, t);
    if (v.status !== 'success' || v.endedAt === null || !d.image) continue;
    const prev = last.get(d.projectId);
    if (!prev || v.endedAt > prev.endedAt || (v.endedAt === prev.endedAt && d.startedAt > prev.startedAt))
      last.set(d.projectId, { endedAt: v.endedAt, startedAt: d.startedAt, image: d.image });
  }
  for (const [project, { image }] of last) state.running.set(project, image);
}

function readSnapshot(file: string): Snapshot | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const parsed = snapshotSchema.safeParse(safeJson(text));
  if (!parsed.success)
    throw new Error(`simulator state ${file} is unreadable; remove the folder to start over`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function readNumber(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a file for the next process. */
function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * A lock file made with O_EXCL, held for a few file operations only, so waiting for it is a short
 * synchronous spin. A holder that died leaves the file behind: one older than LOCK_STALE_MS is removed.
 */
export function withFileLock<T>(lockFile: string, fn: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockFile, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStale(lockFile, LOCK_STALE_MS)) rmSync(lockFile, { force: true });
      else if (Date.now() > deadline) throw new Error(`simulator state is locked by ${lockFile}`);
      else Atomics.wait(pause, 0, 0, 2);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

export function isStale(lockFile: string, ms: number): boolean {
  try {
    return Date.now() - statSync(lockFile).mtimeMs > ms;
  } catch {
    return false;
  }
}
