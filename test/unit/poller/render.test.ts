import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/domain/deployment.ts';
import { formatDuration } from '../../../src/domain/format.ts';
import { createConsoleNotifier } from '../../../src/notify/console.ts';
import type { DeploymentNotice } from '../../../src/notify/port.ts';
import { renderNotice } from '../../../src/notify/render.ts';

const t0 = new Date('2025-01-01T00:00:00Z');
const base: Deployment = {
  id: 7,
  owner: 'K-Le-PaaS',
  repo: 'test01',
  commitSha: 'c39eb54aa1b2c3d4e5f60718293a4b5c6d7e8f90',
  commitMessage: 'fix login',
  ref: null,
  operation: 'rollback',
  rollbackFromId: 3,
  status: 'deploying',
  ncpStatus: 'inprogress',
  buildId: null,
  deployHistoryId: '4242',
  image: 'registry.example/k-le-paas-test01',
  imageTag: 'c39eb54',
  requestKey: null,
  requestedBy: 'U123',
  requestedVia: 'slack',
  lang: 'en',
  slackChannel: 'C1',
  slackThreadTs: '1.2',
  slackMessageTs: null,
  requestedAt: t0,
  startedAt: t0,
  deployedAt: null,
  completedAt: null,
  durationMs: null,
  errorMessage: null,
  errorStage: null,
  stage: null,
  verifyStatus: null,
  verification: null,
  verifyState: null,
  verifyMessageTs: null,
  reason: null,
};

const notice = (d: Partial<Deployment>, over: Partial<DeploymentNotice> = {}): DeploymentNotice => {
  const deployment = { ...base, ...d };
  return {
    deployment,
    previousStatus: 'deploying',
    status: deployment.status,
    ncpStatus: deployment.ncpStatus,
    phase: 'deploy',
    failedPhase: null,
    elapsedMs: 65_000,
    limitMs: null,
    at: t0,
    ...over,
  };
};

describe('renderNotice', () => {
  it('names the image with its tag even when the registry host has a port', () => {
    const n = notice({
      status: 'success',
      ncpStatus: 'success',
      durationMs: 1000,
      image: '127.0.0.1:5000/app',
    });
    expect(renderNotice('succeeded', n).text).toContain('image 127.0.0.1:5000/app:c39eb54');
    const tagged = notice({ status: 'success', durationMs: 1000, image: '127.0.0.1:5000/app:c39eb54' });
    expect(renderNotice('succeeded', tagged).text).toContain('image 127.0.0.1:5000/app:c39eb54 ');
  });

  it('success says what NCP reported, the duration, commit, image and who asked', () => {
    const n = notice({ status: 'success', ncpStatus: 'success', durationMs: 45_000 });
    expect(renderNotice('succeeded', n).text).toBe(
      '✅ Rollback of K-Le-PaaS/test01 to c39eb54 succeeded in 45s · SourceDeploy reported "success" · image registry.example/k-le-paas-test01:c39eb54 · asked by U123',
    );
    const ko = renderNotice(
      'succeeded',
      notice({ status: 'success', ncpStatus: 'success', durationMs: 45_000, lang: 'ko' }),
    );
    expect(ko.text).toContain('K-Le-PaaS/test01 롤백 (c39eb54) 완료 · 소요 45초');
    expect(ko.text).toContain('SourceDeploy 상태 "success"');
    expect(ko.text).toContain('요청: U123');
  });

  it('a failed build names SourceBuild, its status, failed phase and message', () => {
    const n = notice(
      {
        status: 'failed',
        ncpStatus: 'fail',
        errorStage: 'build',
        errorMessage: 'npm ci\n exited 1',
        durationMs: 62_000,
        buildId: 'b9',
        deployHistoryId: null,
      },
      { phase: 'build', failedPhase: 'BUILD' },
    );
    expect(renderNotice('failed', n).text).toBe(
      '❌ Rollback of K-Le-PaaS/test01 to c39eb54 failed after 1m 02s · SourceBuild reported "fail" in phase BUILD: npm ci exited 1 · asked by U123',
    );
    expect(renderNotice('failed', { ...n, deployment: { ...n.deployment, lang: 'ko' } }).text).toContain(
      'SourceBuild 상태 "fail" (단계 BUILD): npm ci exited 1',
    );
  });

  it('a manifest failure never claims NCP reported anything', () => {
    const n = notice(
      {
        status: 'failed',
        ncpStatus: 'success',
        errorStage: 'manifest',
        errorMessage: 'push rejected',
        deployHistoryId: null,
        buildId: 'b1',
      },
      { phase: 'build' },
    );
    const text = renderNotice('failed', n).text;
    expect(text).toContain('updating the deploy manifest failed: push rejected');
    expect(text).not.toContain('reported');
  });

  it('a timeout says no final status came, with the limit and the last status, and does not claim failure', () => {
    const n = notice({ status: 'timed_out', errorStage: 'deploy' }, { limitMs: 300_000 });
    const text = renderNotice('timedOut', n).text;
    expect(text).toContain('SourceDeploy gave no final status within 5m 00s (last status "inprogress")');
    expect(text).not.toMatch(/failed|succeeded/);
    const ko = renderNotice('timedOut', { ...n, deployment: { ...n.deployment, lang: 'ko' } }).text;
    expect(ko).toContain('5분 0초 안에 SourceDeploy가 최종 상태를 알려주지 않았습니다');
  });

  it('a timeout while NCP was unreachable says so', () => {
    const n = notice({ status: 'timed_out', errorStage: 'poll' }, { limitMs: 300_000 });
    expect(renderNotice('timedOut', n).text).toContain('NCP could not be reached for a status within 5m 00s');
  });

  it('started names the build only when a build exists', () => {
    expect(renderNotice('started', notice({})).text).toContain('following SourceDeploy run 4242');
    const b = renderNotice('started', notice({ status: 'building', buildId: '77', deployHistoryId: null }));
    expect(b.text).toContain('SourceBuild build 77 runs first, then the deploy');
  });

  it('progress after the build says the build succeeded and which run started', () => {
    const n = notice({ ncpStatus: 'success' }, { previousStatus: 'building' });
    expect(renderNotice('progress', n).text).toBe(
      '… Rollback of K-Le-PaaS/test01 to c39eb54: build succeeded, SourceDeploy run 4242 started · 1m 05s elapsed',
    );
  });

  it('canceled and deploys name their ref', () => {
    const n = notice({
      status: 'canceled',
      ncpStatus: 'canceled',
      operation: 'deploy',
      ref: 'main',
      durationMs: 30_000,
    });
    expect(renderNotice('canceled', n).text).toBe(
      '🚫 Deploy of K-Le-PaaS/test01 main @ c39eb54 was canceled in NCP after 30s · SourceDeploy reported "canceled" · asked by U123',
    );
  });

  it('formats elapsed time in both languages', () => {
    expect(formatDuration(0, 'en')).toBe('0s');
    expect(formatDuration(125_400, 'en')).toBe('2m 05s');
    expect(formatDuration(125_400, 'ko')).toBe('2분 5초');
  });
});

describe('waiting for approval', () => {
  it('says a pending SourceDeploy run waits for an approver, in both languages', () => {
    const en = renderNotice('progress', notice({ ncpStatus: 'pending' }));
    expect(en.text).toMatch(/SourceDeploy run 4242 is waiting for approval/);
    expect(en.text).not.toContain('"pending"');
    const ko = renderNotice('progress', notice({ ncpStatus: 'pending', lang: 'ko' }));
    expect(ko.text).toMatch(/승인 대기/);
  });
});

describe('console notifier', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, out: { isTTY, write: (s: string) => chunks.push(s) } };
  };

  it('on a terminal, progress rewrites one line and completion starts a fresh one', async () => {
    const { chunks, out } = sink(true);
    const c = createConsoleNotifier({ out });
    await c.progress(notice({ ncpStatus: 'waiting' }));
    await c.progress(notice({ ncpStatus: 'inprogress' }));
    await c.succeeded(notice({ status: 'success', ncpStatus: 'success', durationMs: 1000 }));
    const rewrite = '\r\x1b[2K';
    expect(chunks[0]?.startsWith(`${rewrite}… `)).toBe(true);
    expect(chunks[0]).toContain('"waiting"');
    expect(chunks[1]?.startsWith(`${rewrite}… `)).toBe(true);
    expect(chunks[1]).toContain('"inprogress"');
    expect(chunks[1]).not.toContain('\n');
    const rest = chunks.slice(2).join('');
    expect(rest.startsWith(`${rewrite}✅ `)).toBe(true);
    expect(rest.endsWith('\n')).toBe(true);
  });

  it('off a terminal, every change is its own plain line', async () => {
    const { chunks, out } = sink(false);
    const c = createConsoleNotifier({ out });
    await c.progress(notice({ ncpStatus: 'pending' }));
    await c.progress(notice({ ncpStatus: 'inprogress' }));
    expect(chunks.join('')).not.toContain('\x1b');
    expect(chunks.join('').split('\n').filter(Boolean)).toHaveLength(2);
  });
});
