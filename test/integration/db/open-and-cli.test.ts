import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultMigrationsFolder, openDatabase } from '../../../src/db/open.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { spawnCli, startCli } from '../../support/cli.ts';
import { allMigrations } from './helpers.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'klepaas-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('creates the folder, turns WAL and the pragmas on, applies migrations once', () => {
    const path = join(dir, 'a', 'b', 'klepaas.db');
    const first = openDatabase(path, { logger: silentLogger() });
    try {
      expect(existsSync(path)).toBe(true);
      expect(first.applied).toEqual(allMigrations);
      expect(first.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(first.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(first.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(first.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      const tables = first.sqlite
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .pluck()
        .all();
      expect(tables).toEqual([
        '__drizzle_migrations',
        'audit_log',
        'conversations',
        'deployments',
        'integrations',
        'pending_actions',
        'processed_events',
        'repo_locks',
        'repo_pins',
      ]);
    } finally {
      first.close();
    }
    const again = openDatabase(path, { logger: silentLogger() });
    expect(again.applied).toEqual([]);
    again.close();
  });

  it('an older file gets only the migrations it lacks', () => {
    // A copy of db/migrations holding only the first migration stands for an older release.
    const old = join(dir, 'old-migrations');
    mkdirSync(join(old, 'meta'), { recursive: true });
    const first = allMigrations[0] as string;
    copyFileSync(join(defaultMigrationsFolder, `${first}.sql`), join(old, `${first}.sql`));
    const journal = JSON.parse(readFileSync(join(defaultMigrationsFolder, 'meta/_journal.json'), 'utf8')) as {
      entries: unknown[];
    };
    writeFileSync(
      join(old, 'meta/_journal.json'),
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }),
    );

    const path = join(dir, 'upgrade.db');
    const before = openDatabase(path, { logger: silentLogger(), migrationsFolder: old });
    expect(before.applied).toEqual([first]);
    before.close();
    const after = openDatabase(path, { logger: silentLogger() });
    try {
      expect(after.applied).toEqual(allMigrations.slice(1));
      const indexes = after.sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deployments'")
        .pluck()
        .all();
      expect(indexes).toContain('deployments_repo_commit_status');
    } finally {
      after.close();
    }
  });

  it('the in-flight guard is a partial unique index in the migrated file', () => {
    const o = openDatabase(join(dir, 'k.db'), { logger: silentLogger() });
    try {
      const sql = o.sqlite
        .prepare("SELECT sql FROM sqlite_master WHERE name = 'deployments_one_in_flight'")
        .pluck()
        .get() as string;
      expect(sql).toMatch(/CREATE UNIQUE INDEX/);
      expect(sql).toMatch(/lower\("owner"\),\s*lower\("repo"\)/);
      expect(sql).toMatch(/WHERE .*'queued', 'building', 'deploying'/);
    } finally {
      o.close();
    }
  });
});

describe('klepaas-bot db migrate', () => {
  const migrate = async (path: string, ...extra: string[]) => {
    const r = await startCli(dir, ['db', 'migrate', ...extra], { DATABASE_PATH: path, LOG_LEVEL: 'silent' })
      .done;
    expect(r.code, r.stderr).toBe(0);
    return r;
  };

  it('migrates a new file, and a second run changes nothing', async () => {
    const path = join(dir, 'data', 'klepaas.db');
    const first = await migrate(path);
    expect(first.stdout).toContain(`applied ${allMigrations.length} migration(s)`);
    for (const tag of allMigrations) expect(first.stdout).toContain(tag);
    const second = await migrate(path, '--json');
    expect(JSON.parse(second.stdout)).toEqual({ path, applied: [] });
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(
        allMigrations.length,
      );
      expect(db.prepare('SELECT count(*) FROM deployments').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  }, 120_000);

  // The program itself, as its own process: argv, exit code and stderr reach the shell.
  it('exits 2 with usage on an unknown subcommand', async () => {
    const r = await spawnCli(dir, ['db', 'explode'], { DATABASE_PATH: join(dir, 'x.db') }).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('klepaas-bot db migrate');
  }, 120_000);
});
