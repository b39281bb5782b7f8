import { existsSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { z } from 'zod';
import { KlepaasError } from '../domain/errors.ts';
import type { Logger } from '../log/logger.ts';
import * as schema from './schema.ts';
import { storageFailure } from './sqlite-errors.ts';

export type Db = BetterSQLite3Database<typeof schema>;

export interface OpenDatabase {
  readonly db: Db;
  readonly sqlite: Database.Database;
  /** Tags of the migrations this open applied (empty when the file was already up to date). */
  readonly applied: readonly string[];
  close(): void;
}

export interface OpenOptions {
  readonly logger: Logger;
  /** Overrides the bundled migrations folder (tests of the migration step only). */
  readonly migrationsFolder?: string;
}

// Resolved from this module, not the working directory: src/db and dist/db both sit two levels below
// the package root, next to db/migrations.
export const defaultMigrationsFolder = fileURLToPath(new URL('../../db/migrations/', import.meta.url));

const MIGRATIONS_TABLE = '__drizzle_migrations';

const journalSchema = z.object({
  entries: z.array(z.object({ idx: z.number(), when: z.number(), tag: z.string() })),
});

function readJournal(folder: string): { when: number; tag: string }[] {
  const raw: unknown = JSON.parse(readFileSync(resolve(folder, 'meta/_journal.json'), 'utf8'));
  return journalSchema.parse(raw).entries;
}

function lastAppliedMillis(sqlite: Database.Database): number | null {
  const exists = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(MIGRATIONS_TABLE);
  if (!exists) return null;
  const row = sqlite.prepare(`SELECT max(created_at) AS last FROM "${MIGRATIONS_TABLE}"`).get() as
    | { last: number | string | null }
    | undefined;
  return row?.last == null ? null : Number(row.last);
}

/** Journal entries newer than the last one recorded in the file: what `migrate` would run. */
export function pendingMigrations(sqlite: Database.Database, folder = defaultMigrationsFolder): string[] {
  const last = lastAppliedMillis(sqlite);
  return readJournal(folder)
    .filter((e) => last === null || e.when > last)
    .map((e) => e.tag);
}

const totalChanges = (sqlite: Database.Database): number =>
  sqlite.prepare('SELECT total_changes()').pluck().get() as number;

/**
 * Runs drizzle's migrator and returns the tags this connection applied. Several processes may start
 * together: each sees the migrations pending, one applies them, the others' transactions fail (table
 * exists, stale snapshot) or find nothing left to do. What this connection really applied is told by the
 * rows it inserted into the migrations table, since drizzle records one row per migration it runs.
 */
function applyMigrations(sqlite: Database.Database, db: Db, folder: string): string[] {
  if (pendingMigrations(sqlite, folder).length === 0) return [];
  const before = totalChanges(sqlite);
  try {
    migrate(db, { migrationsFolder: folder, migrationsTable: MIGRATIONS_TABLE });
  } catch (err) {
    if (pendingMigrations(sqlite, folder).length > 0) throw err;
    return [];
  }
  const inserted = totalChanges(sqlite) - before;
  // drizzle applies the newest `inserted` journal entries, in order.
  return inserted > 0
    ? readJournal(folder)
        .map((e) => e.tag)
        .slice(-inserted)
    : [];
}

/**
 * Opens (creating it and its folder when missing) the SQLite file, sets the pragmas every connection
 * needs and brings the schema up to date. Several processes may open the same file at once.
 */
export function openDatabase(path: string, opts: OpenOptions): OpenDatabase {
  const log = opts.logger.child({ module: 'db' });
  const folder = opts.migrationsFolder ?? defaultMigrationsFolder;
  let sqlite: Database.Database;
  try {
    if (path !== ':memory:') ensureFolder(dirname(resolve(path)));
    sqlite = new Database(path);
  } catch (err) {
    throw cannotOpen(path, err);
  }
  try {
    // busy_timeout first: switching a new file to WAL takes a lock another starting process may hold.
    // Writers then queue instead of failing at once. WAL lets the poller write while Slack handlers
    // read; NORMAL is durable across application crashes in WAL mode and much faster than FULL.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');

    const db = drizzle(sqlite, { schema });
    const applied = applyMigrations(sqlite, db, folder);
    if (applied.length > 0) log.info({ path, applied }, 'database migrated');
    return { db, sqlite, applied, close: () => sqlite.close() };
  } catch (err) {
    sqlite.close();
    throw storageFailure(err) ? cannotOpen(path, err) : err;
  }
}

/**
 * Creates the folder and its missing parents one level at a time: Node's recursive mkdir never returns on
 * some paths (under /proc), and a start must fail with a message, not hang.
 */
function ensureFolder(dir: string): void {
  const missing: string[] = [];
  let at = dir;
  while (!existsSync(at)) {
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      // Another process starting at the same time made it first.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

// SQLite reports a full disk while opening as a plain I/O error (the shared-memory file cannot grow).
function nearlyFull(path: string): boolean {
  try {
    const s = statfsSync(dirname(resolve(path)));
    return s.bavail * s.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

/** Why the file DATABASE_PATH names cannot be used, naming the variable and the path as resolved. */
function cannotOpen(path: string, err: unknown): KlepaasError {
  const code = (err as { code?: unknown }).code;
  const full = code === 'ENOSPC' || code === 'SQLITE_FULL' || (path !== ':memory:' && nearlyFull(path));
  const denied = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'SQLITE_READONLY';
  const detail = err instanceof Error ? err.message : String(err);
  const where = path === ':memory:' ? path : resolve(path);
  const reason = full
    ? { en: 'the disk is full', ko: '디스크가 가득 찼습니다' }
    : denied
      ? { en: 'permission denied', ko: '권한이 없습니다' }
      : { en: detail, ko: detail };
  return new KlepaasError({
    code: 'STORAGE_FAILED',
    status: 503,
    message: {
      en: `DATABASE_PATH=${path}: cannot open the database at ${where}: ${reason.en}.`,
      ko: `DATABASE_PATH=${path}: ${where}의 데이터베이스를 열 수 없습니다: ${reason.ko}.`,
    },
    hint: {
      en: 'Set DATABASE_PATH to a writable file path with free space (its folder is created if missing).',
      ko: 'DATABASE_PATH를 공간이 남아 있고 쓸 수 있는 파일 경로로 설정하세요 (폴더가 없으면 만듭니다).',
    },
    details: { path: where, cause: typeof code === 'string' ? code : null },
    cause: err,
  });
}
