import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMigrationsFolder, type OpenDatabase, openDatabase } from '../../../src/db/open.ts';
import { createStores, type Stores } from '../../../src/db/stores.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { NewDeployment } from '../../../src/services/ports.ts';

export interface TestClock {
  now(): Date;
  set(iso: string): void;
  advance(ms: number): void;
}

export function testClock(start = '2026-01-01T00:00:00.000Z'): TestClock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso) => {
      t = Date.parse(iso);
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface TempDb extends OpenDatabase {
  readonly dir: string;
  readonly path: string;
  readonly stores: Stores;
  readonly clock: TestClock;
  cleanup(): void;
}

/** A real SQLite file in a fresh temp folder, migrated by the real migrations. */
export function tempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-db-'));
  const path = join(dir, 'data', 'klepaas.db');
  const opened = openDatabase(path, { logger: silentLogger() });
  const clock = testClock();
  return {
    ...opened,
    dir,
    path,
    clock,
    stores: createStores(opened.db, clock),
    cleanup() {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function newDeployment(over: Partial<NewDeployment> = {}): NewDeployment {
  return {
    owner: 'K-Le-PaaS',
    repo: 'test01',
    commitSha: null,
    commitMessage: null,
    ref: 'main',
    operation: 'deploy',
    rollbackFromId: null,
    status: 'queued',
    image: null,
    imageTag: null,
    requestKey: null,
    requestedBy: 'U123',
    requestedVia: 'slack',
    lang: 'ko',
    slackChannel: 'C1',
    slackThreadTs: null,
    ...over,
  };
}

/** A 40-hex SHA whose first characters are `prefix`, padded with a digit. */
export const sha = (prefix: string, pad = '0'): string => prefix.padEnd(40, pad);

/** Every migration shipped in db/migrations, oldest first, by tag (file name without .sql). */
export const allMigrations: readonly string[] = readdirSync(defaultMigrationsFolder)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.slice(0, -'.sql'.length))
  .sort();
