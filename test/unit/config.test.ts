import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { envSchema } from '../../src/config/schema.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};

describe('loadConfig', () => {
  it('runs with an empty environment: console, simulator, grammar only, in-process poller', () => {
    const c = loadConfig({});
    expect(c.slack).toBeNull();
    expect(c.ncp).toBeNull();
    expect(c.llm).toBeNull();
    expect(c.redisUrl).toBeUndefined();
    expect(c.databasePath).toBe('./data/klepaas.db');
    expect(c.poll).toEqual({
      intervalMs: 10_000,
      deployTimeoutMs: 300_000,
      buildTimeoutMs: 900_000,
      approvalTimeoutMs: 86_400_000,
    });
    expect(c.timeZone).toBe('Asia/Seoul');
  });

  it('names the variable and what to set when a value is bad', () => {
    const problems = problemsOf({ POLL_INTERVAL_MS: 'soon', DISPLAY_TIMEZONE: 'Mars/Base' });
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('POLL_INTERVAL_MS:'))).toMatch(/whole number/);
    expect(problems.find((p) => p.startsWith('DISPLAY_TIMEZONE:'))).toMatch(/Asia\/Seoul/);
  });

  it('reports a bad field and a broken rule across fields together, not one run at a time', () => {
    const problems = problemsOf({
      POLL_INTERVAL_MS: 'soon',
      NCP_ACCESS_KEY: 'AK',
      SLACK_BOT_TOKEN: 'xoxp-1',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'POLL_INTERVAL_MS',
      'NCP_SECRET_KEY',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ]);
  });

  it('refuses half-set credentials', () => {
    expect(problemsOf({ NCP_ACCESS_KEY: 'AK' })[0]).toMatch(/^NCP_SECRET_KEY: missing/);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' })[0]).toMatch(/^SLACK_SIGNING_SECRET: missing/);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'abc', SLACK_SIGNING_SECRET: 's' })[0]).toMatch(
      /^SLACK_BOT_TOKEN: .*xoxb-/,
    );
    expect(problemsOf({ SLACK_SIGNING_SECRET: 's' })[0]).toMatch(/^SLACK_BOT_TOKEN: missing/);
  });

  it('refuses NCP keys without SourceCommit git credentials, naming both, with no fallback to the keys', () => {
    const problems = problemsOf({ NCP_ACCESS_KEY: 'AK', NCP_SECRET_KEY: 'SK' });
    expect(problems.find((p) => p.startsWith('NCP_GIT_USERNAME: missing'))).toMatch(/Sub Account/);
    expect(problems.find((p) => p.startsWith('NCP_GIT_PASSWORD: missing'))).toMatch(/API keys/);
    expect(problemsOf({ NCP_ACCESS_KEY: 'AK', NCP_SECRET_KEY: 'SK', NCP_GIT_USERNAME: 'u' })).toEqual([
      expect.stringMatching(/^NCP_GIT_PASSWORD: missing/),
    ]);
  });

  it('gives waiting for an approver its own long limit, configurable', () => {
    expect(loadConfig({}).poll.approvalTimeoutMs).toBe(86_400_000);
    expect(loadConfig({ APPROVAL_TIMEOUT_MS: '7200000' }).poll.approvalTimeoutMs).toBe(7_200_000);
  });

  it('turns credentials into the real drivers', () => {
    const c = loadConfig({
      NCP_ACCESS_KEY: 'AK',
      NCP_SECRET_KEY: 'SK',
      NCP_GIT_USERNAME: 'sub-user',
      NCP_GIT_PASSWORD: 'git-pw',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      OPENAI_API_KEY: 'sk-x',
      ALLOWED_CHANNELS: 'C1, C2,',
    });
    expect(c.ncp?.accessKey).toBe('AK');
    expect(c.ncp?.gitPassword).toBe('git-pw');
    expect(c.slack?.appToken).toBe('xapp-1');
    expect(c.slack?.allowedChannels).toEqual(['C1', 'C2']);
    expect(c.llm?.timeoutMs).toBe(4000);
  });

  it('.env.example documents every variable the schema reads, and nothing else', () => {
    const documented = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1])
      .filter((k): k is string => k !== undefined)
      .sort();
    expect(documented).toEqual(Object.keys(envSchema.shape).sort());
  });
});

describe('README', () => {
  it('documents every variable in its configuration table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const missing = Object.keys(envSchema.shape).filter((k) => !table.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });
});
