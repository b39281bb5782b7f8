import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Intent } from '../../src/domain/intent.ts';
import { intentSchema } from '../../src/domain/intent.ts';
import { parseWithGrammar } from '../../src/intent/grammar.ts';
import { type OpenAiStandIn, startOpenAiServer, userMessages } from '../servers/openai-server.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const API_KEY = 'sk-cli-test-secret-0987654321';
const schemaKeys = Object.keys(intentSchema.shape);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let cwd: string;
let server: OpenAiStandIn;

beforeAll(async () => {
  // An empty working directory, so a developer's .env never leaks into what these runs see.
  cwd = mkdtempSync(join(tmpdir(), 'klepaas-cli-parse-'));
  server = await startOpenAiServer();
});
afterAll(async () => {
  await server.close();
  rmSync(cwd, { recursive: true, force: true });
});

function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', main, 'parse', ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', ...opts.env }, stdio: 'pipe' },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

function intents(stdout: string): Intent[] {
  const lines = stdout.split('\n');
  expect(lines.at(-1)).toBe('');
  return lines.slice(0, -1).map((line) => {
    const value: unknown = JSON.parse(line);
    // Exactly the schema's keys, in the schema's order.
    expect(Object.keys(value as object)).toEqual(schemaKeys);
    return intentSchema.parse(value);
  });
}

describe('klepaas-bot parse', () => {
  it('prints one canonical JSON line for a message', async () => {
    const text = 'K-Le-PaaS/test01 롤백 해줘';
    const run = await cli(['--no-llm', text]);
    expect(run.code).toBe(0);
    expect(intents(run.stdout)).toEqual([parseWithGrammar(text)]);
  });

  it('exits 0 for an unknown intent', async () => {
    const run = await cli(['--no-llm', '점심 뭐 먹지']);
    expect(run.code).toBe(0);
    expect(intents(run.stdout)[0]).toMatchObject({ intent: 'unknown', source: 'grammar' });
  });

  it('reads --stdin line by line, in order, with CRLF, empty lines and no final newline', async () => {
    const messages = [
      'rollback test01 to c39eb54',
      '',
      'test01 배포 이력',
      'what can you do',
      'test01 롤백하지 마',
    ];
    const run = await cli(['--no-llm', '--stdin'], { input: `${messages.join('\r\n')}` });
    expect(run.code).toBe(0);
    const got = intents(run.stdout);
    expect(got).toEqual(messages.map((m) => parseWithGrammar(m)));
    expect(got[1]).toMatchObject({ intent: 'unknown', reason: 'empty' });
  });

  it('uses the model named by OPENAI_* and keeps input order when answers arrive out of order', async () => {
    const repos = ['svc-a', 'svc-b', 'svc-c', 'svc-d'];
    server.requests.length = 0;
    server.script((req) => {
      const text = String(userMessages(req)[0] ?? '');
      const repo = repos.find((r) => text.includes(r)) ?? null;
      const answer = { intent: 'history', owner: null, repo, commitSha: null, stepsBack: null, ref: null };
      // The first message answers last, so printing in arrival order would be caught.
      const none = { target: null, minutes: null, note: null, force: false, followUp: null };
      return {
        answer: { ...answer, ...none, lang: 'en', reason: null },
        delayMs: repo === 'svc-a' ? 600 : 0,
      };
    });
    const input = `${repos.map((r) => `anything new happening with ${r} lately?`).join('\n')}\n`;
    const run = await cli(['--stdin'], {
      input,
      env: {
        OPENAI_API_KEY: API_KEY,
        OPENAI_BASE_URL: server.baseURL,
        OPENAI_MODEL: 'cli-test-model',
        LLM_TIMEOUT_MS: '5000',
        LOG_LEVEL: 'debug',
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const got = intents(run.stdout);
    expect(got.map((i) => [i.intent, i.repo, i.source])).toEqual(repos.map((r) => ['history', r, 'llm']));
    expect(server.requests).toHaveLength(repos.length);
    expect(server.requests.every((r) => r.body.model === 'cli-test-model')).toBe(true);
    // Logs went to stderr (debug level was on), never stdout, and never with the key.
    expect(run.stderr).toMatch(/intent model answered/);
    expect(run.stderr).not.toContain(API_KEY);
  });

  it('--no-llm keeps the model out even when a key is set', async () => {
    server.requests.length = 0;
    const run = await cli(['--no-llm', 'test01 배포 이력'], {
      env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: server.baseURL },
    });
    expect(run.code).toBe(0);
    expect(intents(run.stdout)[0]?.source).toBe('grammar');
    expect(server.requests).toHaveLength(0);
  });

  it.each([[['--bogus', 'x']], [[]], [['--stdin', 'also text']], [['--hint', 'explode', 'x']]])(
    'exits 2 with usage for bad arguments %j',
    async (args) => {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^usage: klepaas-bot parse/m);
    },
  );

  it('exits 1 and names the variable for bad configuration', async () => {
    const run = await cli(['x'], { env: { OPENAI_BASE_URL: 'not a url', LLM_TIMEOUT_MS: '-5' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^OPENAI_BASE_URL: /m);
    expect(run.stderr).toMatch(/^LLM_TIMEOUT_MS: /m);
  });
});
