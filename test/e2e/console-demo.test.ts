import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The README's console demo, run as written: `npm start` with piped input against the built-in simulator.

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'klepaas-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chat(input: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', main],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_PATH: join(dir, 'demo.db'),
        SIM_PHASE_MS: '300',
        POLL_INTERVAL_MS: '200',
        SIM_VERIFY_WINDOW_MS: '2000',
        LOG_LEVEL: 'warn',
      },
      stdio: 'pipe',
    },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const order = (out: string, marks: readonly string[]): number[] => marks.map((m) => out.indexOf(m));

describe('the console demo: deploy, verification fails, the bot rolls back, the rollback passes, the repo is pinned', () => {
  it('tells the story, then refuses the same deploy while pinned and shows the pin in status', async () => {
    const first = await chat('K-Le-PaaS/test01 main 배포해줘\ny\n');
    expect(first.code).toBe(0);
    const marks = [
      '✅ K-Le-PaaS/test01 배포',
      '❌ 검증 실패: 5xx',
      '자동 롤백 시작: 이전 버전',
      '✅ K-Le-PaaS/test01 롤백',
      '📌 K-Le-PaaS/test01 고정됨',
      '✅ 검증 완료: health 200 · 5xx 0.0 %',
    ];
    const at = order(first.out, marks);
    for (const [i, m] of marks.entries()) expect(at[i], `${m} in:\n${first.out}`).toBeGreaterThanOrEqual(0);
    expect(at.slice(1)).toEqual([...at.slice(1)].sort((a, b) => a - b));
    expect(first.out).toContain('요청: klepaas-bot');

    const second = await chat('K-Le-PaaS/test01 main 배포해줘\nK-Le-PaaS/test01 상태 알려줘\n');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/고정되어 있습니다 \(rolled back from [0-9a-f]{7}\)/);
    expect(second.out).toMatch(/롤백으로 되돌린 커밋 [0-9a-f]{7} "Bump version to 1\.3\.0/);
    expect(second.out).toMatch(/📌 K-Le-PaaS\/test01 고정됨 \([0-9a-f]{7}에서 롤백\)/);
  }, 120_000);
});
