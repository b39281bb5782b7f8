import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.ts';
import { createStores } from '../../src/db/stores.ts';
import { KlepaasError } from '../../src/domain/errors.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { startCli } from '../integration/cli/spawn-cli.ts';
import { newDeployment } from '../integration/db/helpers.ts';

// A full disk mid-write: a small tmpfs, which only root may mount. better-sqlite3's `.get()` on
// `INSERT/UPDATE … RETURNING` returned rows the disk never committed; the stores must throw instead.
const base = mkdtempSync(join(tmpdir(), 'klepaas-diskfull-'));
const mnt = join(base, 'mnt');
mkdirSync(mnt);
let skipReason: string | null = null;
if (process.getuid?.() !== 0) {
  skipReason = 'not root: cannot mount a small tmpfs to fill';
} else {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=768k', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (err) {
    skipReason = `mount -t tmpfs failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
}
if (skipReason) console.log(`disk-full fault tests skipped: ${skipReason}`);

afterAll(() => {
  if (!skipReason) execFileSync('umount', ['-l', mnt]);
  rmSync(base, { recursive: true, force: true });
});

/** Fills what is left of the tmpfs with a file, so the next write of any size fails. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

const storedError = (path: string, id: number): string | null => {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = sqlite.prepare('SELECT error_message FROM deployments WHERE id = ?').get(id) as
      | { error_message: string | null }
      | undefined;
    return row?.error_message ?? null;
  } finally {
    sqlite.close();
  }
};

const storedIds = (path: string): number[] => {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (sqlite.prepare('SELECT id FROM deployments ORDER BY id').all() as { id: number }[]).map(
      (r) => r.id,
    );
  } finally {
    sqlite.close();
  }
};

describe.skipIf(skipReason !== null)('disk full mid-write', () => {
  beforeAll(() => {
    for (const f of ['k.db', 'k.db-wal', 'k.db-shm', 'filler']) rmSync(join(mnt, f), { force: true });
  });

  it('every write the stores report was committed; the rest throw STORAGE_FAILED in both languages', () => {
    const path = join(mnt, 'k.db');
    const opened = openDatabase(path, { logger: silentLogger() });
    const stores = createStores(opened.db);
    const inFlight = stores.deployments.create(
      newDeployment({ status: 'deploying', requestKey: 'in-flight' }),
    );
    const reported: number[] = [inFlight.id];
    let refusal: unknown = null;
    for (let i = 0; i < 400 && refusal === null; i++) {
      try {
        const d = stores.deployments.create(
          newDeployment({ status: 'success', requestKey: `k${i}`, commitMessage: 'x'.repeat(8000) }),
        );
        reported.push(d.id);
      } catch (err) {
        refusal = err;
      }
    }
    expect(refusal, 'the disk never filled up').toBeInstanceOf(KlepaasError);
    const e = refusal as KlepaasError;
    expect(e.code).toBe('STORAGE_FAILED');
    expect(e.text('en')).toMatch(/disk is full.*not recorded/s);
    expect(e.text('ko')).toMatch(/디스크가 가득 찼습니다.*기록되지 않았습니다/s);

    // Now the disk is full: a final update either throws or is on disk; none is reported and lost. (A page
    // SQLite freed earlier can still take one, so how many fit is not fixed; that none lies is.)
    fillDisk(join(mnt, 'filler'));
    let refused = 0;
    for (let i = 0; i < 10; i++) {
      const message = 'y'.repeat(4000 + i);
      let reportedDone = false;
      try {
        stores.deployments.update(inFlight.id, { status: 'success', errorMessage: message });
        reportedDone = true;
      } catch (err) {
        if (err instanceof KlepaasError && err.code === 'STORAGE_FAILED') refused++;
        else throw err;
      }
      expect(storedError(path, inFlight.id) === message, `update ${i}`).toBe(reportedDone);
    }
    expect(refused, 'the full disk refused no update').toBeGreaterThanOrEqual(5);
    opened.close();

    // What was reported is exactly what is on disk, read by a fresh connection.
    expect(storedIds(path)).toEqual(reported);
    for (const f of ['k.db', 'k.db-wal', 'k.db-shm', 'filler']) rmSync(join(mnt, f), { force: true });
  });

  it('the CLI refuses a full disk in the language asked for, naming DATABASE_PATH, and records nothing', async () => {
    const dir = join(mnt, 'cli');
    mkdirSync(dir, { recursive: true });
    // NCP keys set: no simulator state to write, so the only writer is the database.
    const env = {
      NCP_ACCESS_KEY: 'AK',
      NCP_SECRET_KEY: 'SK',
      NCP_GIT_USERNAME: 'git-user',
      NCP_GIT_PASSWORD: 'git-pass',
      DATABASE_PATH: join(dir, 'k.db'),
    };
    const migrate = await startCli(base, ['db', 'migrate'], env).done;
    expect(migrate.code, migrate.stderr).toBe(0);
    fillDisk(join(mnt, 'filler'));
    const add = await startCli(
      base,
      ['integration', 'add', 'K-Le-PaaS/full', '--build-project', '1', '--lang', 'ko', '--json'],
      env,
    ).done;
    rmSync(join(mnt, 'filler'));
    expect(add.code).toBe(1);
    // The full disk is met when the database opens (SQLite's shared-memory file cannot grow).
    expect(add.stderr).toMatch(
      /^STORAGE_FAILED: DATABASE_PATH=.*데이터베이스를 열 수 없습니다: 디스크가 가득 찼습니다/,
    );
    expect(add.stderr).not.toMatch(/INTERNAL|SqliteError|\n\s+at /);
    expect(JSON.parse(add.stdout)).toMatchObject({ error: { code: 'STORAGE_FAILED' } });
    const list = await startCli(base, ['integration', 'list', '--json'], env).done;
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(list.stdout))).not.toContain('K-Le-PaaS/full');
    expect(list.stdout).not.toContain('"full"');
  });
});
