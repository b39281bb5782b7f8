import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'klepaas-console-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm start` as a person would script it: messages on stdin, no Slack or NCP credentials. */
function npmStart(input: string, env: Record<string, string>): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        SIM_PHASE_MS: '300',
        POLL_INTERVAL_MS: '200',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`npm start did not exit\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('npm start without credentials: the console chat', () => {
  it('confirms, starts and completes a rollback of the demo repo, then exits 0', async () => {
    const db = join(dir, 'rollback.db');
    const run = await npmStart('K-Le-PaaS/test01 롤백 해줘\ny\n', { DATABASE_PATH: db });
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/simulator/i);
    // The confirmation names the repo, the running and target commits, the step count and the image.
    expect(out).toMatch(/K-Le-PaaS\/test01: [0-9a-f]{7} -> [0-9a-f]{7}, 1단계 전, 이미지 있음/);
    expect(out).toMatch(/롤백할까요\? \(y\/n\)/);
    expect(out).toMatch(/✔ 확인 · K-Le-PaaS\/test01 롤백 #\d+ \([0-9a-f]{7}\) 시작/);
    expect(out).toMatch(/✅ K-Le-PaaS\/test01 롤백 \([0-9a-f]{7}\) 완료 · 소요 \d+초/);
    // Lines come in the order a person would see them.
    const order = ['롤백할까요', '✔ 확인', '완료'].map((s) => out.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    // And the record behind it is one finished rollback pointing at what ran before.
    const sqlite = new Database(db, { readonly: true });
    const rows = sqlite
      .prepare("SELECT status, operation, rollback_from_id FROM deployments WHERE operation = 'rollback'")
      .all() as { status: string; operation: string; rollback_from_id: number | null }[];
    sqlite.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('success');
    expect(rows[0]?.rollback_from_id).not.toBeNull();
  });

  it('does nothing on a "no", and answers English in English', async () => {
    const db = join(dir, 'cancel.db');
    const run = await npmStart('rollback K-Le-PaaS/test01 to the previous version\nno\nhelp\n', {
      DATABASE_PATH: db,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Roll back\? \(y\/n\)/);
    expect(run.stdout).toMatch(/Canceled; nothing was started\./);
    expect(run.stdout).toMatch(/What I can do:/);
    const sqlite = new Database(db, { readonly: true });
    const count = sqlite
      .prepare("SELECT count(*) AS n FROM deployments WHERE operation = 'rollback'")
      .get() as {
      n: number;
    };
    sqlite.close();
    expect(count.n).toBe(0);
  });

  it('fails fast naming the variable when the configuration is bad', async () => {
    const run = await npmStart('', { DATABASE_PATH: join(dir, 'bad.db'), POLL_INTERVAL_MS: 'soon' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/POLL_INTERVAL_MS: must be a whole number/);
  });
});
