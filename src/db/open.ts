import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { z } from 'zod';
import type { Logger } from '../log/logger.ts';
import * as schema from './schema.ts';

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
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });

  const sqlite = new Database(path);
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
    throw err;
  }
}
