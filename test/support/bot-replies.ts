import type { BotReply } from '../../src/bot/types.ts';
import type { Deployment } from '../../src/domain/deployment.ts';
import type { Lang } from '../../src/domain/intent.ts';
import type { RepoLock } from '../../src/domain/records.ts';
import type { CandidateList, DiagnoseReport, RollbackPlan } from '../../src/domain/reports.ts';

export const SHA_RUNNING = 'abc1234567890abc1234567890abc1234567890a';
export const SHA_TARGET = 'c39eb54f00d1c39eb54f00d1c39eb54f00d1c39e';
export const SHA_OLDER = '0123456789abcdef0123456789abcdef01234567';

export function sampleDeployment(now: Date, over: Partial<Deployment> = {}): Deployment {
  return {
    id: 42,
    owner: 'K-Le-PaaS',
    repo: 'test01',
    commitSha: SHA_TARGET,
    commitMessage: 'fix: login redirect\n\nlong body',
    ref: null,
    operation: 'rollback',
    rollbackFromId: 41,
    status: 'deploying',
    ncpStatus: 'inprogress',
    buildId: null,
    deployHistoryId: 'h-1',
    image: 'k-le-paas-test01',
    imageTag: SHA_TARGET,
    requestKey: null,
    requestedBy: 'U_ASKER',
    requestedVia: 'slack',
    lang: 'ko',
    slackChannel: 'C_OPS',
    slackThreadTs: '1700000000.000100',
    slackMessageTs: null,
    requestedAt: new Date(now.getTime() - 60_000),
    startedAt: new Date(now.getTime() - 55_000),
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
    ...over,
  };
}

export function samplePlan(now: Date, over: Partial<RollbackPlan> = {}): RollbackPlan {
  return {
    owner: 'K-Le-PaaS',
    repo: 'test01',
    current: {
      commitSha: SHA_RUNNING,
      commitMessage: 'feat: new checkout',
      deployedAt: new Date(now.getTime() - 3_600_000),
      deploymentId: 41,
    },
    target: {
      n: 1,
      deploymentId: 40,
      commitSha: SHA_TARGET,
      commitMessage: 'fix: login redirect',
      deployedAt: new Date(now.getTime() - 2 * 86_400_000),
      imageTag: SHA_TARGET,
    },
    stepsBack: 1,
    imageRef: `reg.kr.ncr.ntruss.com/k-le-paas-test01:${SHA_TARGET}`,
    imageExists: true,
    rebuild: false,
    ...over,
  };
}

export function sampleCandidates(now: Date, count = 3): CandidateList {
  const shas = [SHA_TARGET, SHA_OLDER, 'fedcba9876543210fedcba9876543210fedcba98'];
  return {
    owner: 'K-Le-PaaS',
    repo: 'test01',
    current: samplePlan(now).current,
    faulty: [],
    candidates: Array.from({ length: count }, (_, i) => ({
      n: i + 1,
      deploymentId: 40 - i,
      commitSha: shas[i % shas.length] ?? SHA_OLDER,
      commitMessage: `change ${i + 1}`,
      deployedAt: new Date(now.getTime() - (i + 1) * 86_400_000),
      imageTag: shas[i % shas.length] ?? SHA_OLDER,
    })),
  };
}

export function sampleDiagnose(ready: boolean): DiagnoseReport {
  return {
    ready,
    owner: 'K-Le-PaaS',
    repo: 'test01',
    issues: ready ? [] : ['No deployment history found. Deploy the application first.'],
    warnings: [],
    deployment_count: ready ? 5 : null,
    latest_deployment: ready ? { commit_sha: SHA_RUNNING, deployed_at: '2025-10-19T12:00:00Z' } : null,
    checks: [
      {
        id: 'integration',
        ok: true,
        severity: 'issue',
        message: { en: 'Project integration found', ko: '프로젝트 연동 있음' },
        hint: null,
      },
      {
        id: 'history',
        ok: ready,
        severity: 'issue',
        message: { en: 'Successful deployment history', ko: '성공한 배포 기록' },
        hint: {
          en: 'Deploy the application first: /deploy test01 main',
          ko: '먼저 배포하세요: /deploy test01 main',
        },
      },
    ],
    mode: 'simulator',
    in_flight: null,
  };
}

/** One reply of every kind, so renderer tests cover the whole union. */
export function sampleReplies(now: Date, lang: Lang): BotReply[] {
  const expiresAt = new Date(now.getTime() + 600_000);
  return [
    { kind: 'help', lang },
    {
      kind: 'unknown',
      lang,
      reason: 'not_understood',
      suggestions: ['rollback test01', 'candidates test01'],
    },
    {
      kind: 'error',
      lang,
      code: 'NO_DEPLOYMENT_HISTORY',
      message: 'No deployment history found for K-Le-PaaS/test01.',
      hint: 'Deploy the application first.',
    },
    {
      kind: 'choose_repo',
      lang,
      pendingId: 'p-choose',
      options: [
        { owner: 'K-Le-PaaS', repo: 'test01' },
        { owner: 'other-team', repo: 'test01' },
      ],
    },
    {
      kind: 'confirm_rollback',
      lang,
      pendingId: 'p-rb',
      plan: samplePlan(now),
      requestedBy: 'U_ASKER',
      expiresAt,
    },
    {
      kind: 'confirm_deploy',
      lang,
      pendingId: 'p-dep',
      plan: {
        owner: 'K-Le-PaaS',
        repo: 'test01',
        ref: 'main',
        commitSha: SHA_RUNNING,
        commitMessage: 'feat: new checkout',
        current: samplePlan(now).current,
        imageRef: `reg.kr.ncr.ntruss.com/k-le-paas-test01:${SHA_RUNNING}`,
      },
      requestedBy: 'U_ASKER',
      expiresAt,
    },
    { kind: 'started', lang, deployment: sampleDeployment(now), decidedBy: 'U_ASKER' },
    { kind: 'canceled', lang, by: 'U_ASKER' },
    { kind: 'diagnose', lang, report: sampleDiagnose(false) },
    { kind: 'candidates', lang, list: sampleCandidates(now) },
    {
      kind: 'history',
      lang,
      owner: 'K-Le-PaaS',
      repo: 'test01',
      items: [
        sampleDeployment(now, { status: 'success', durationMs: 45_000 }),
        sampleDeployment(now, { id: 41 }),
      ],
    },
    { kind: 'status', lang, owner: 'K-Le-PaaS', repo: 'test01', deployment: sampleDeployment(now) },
    { kind: 'cancel_running', lang, deployment: sampleDeployment(now), accepted: true },
    {
      kind: 'audit',
      lang,
      report: {
        owner: 'K-Le-PaaS',
        repo: 'test01',
        items: [
          {
            deployment: sampleDeployment(now),
            confirmedBy: 'U_ASKER',
            fromSha: 'c39eb54aa1b2c3d4e5f60718293a4b5c6d7e8f90',
          },
          {
            deployment: sampleDeployment(now, { requestedBy: 'root', requestedVia: 'console' }),
            confirmedBy: null,
            fromSha: null,
          },
        ],
        locks: [sampleLock(now)],
        running: sampleDeployment(now),
      },
      dropped: {
        kind: 'rollback',
        owner: 'K-Le-PaaS',
        repo: 'test01',
        targetSha: 'c39eb54aa1b2c3d4e5f60718293a4b5c6d7e8f90',
      },
    },
    { kind: 'locked', lang, lock: sampleLock(now), replaced: null },
    { kind: 'unlocked', lang, owner: 'K-Le-PaaS', repo: 'test01', lock: sampleLock(now) },
  ];
}

export function sampleLock(now: Date): RepoLock {
  return {
    id: 1,
    owner: 'K-Le-PaaS',
    repo: 'test01',
    lockedBy: 'U_ASKER',
    via: 'slack',
    reason: 'release freeze',
    lockedAt: now,
    expiresAt: new Date(now.getTime() + 3_600_000),
    releasedAt: null,
    releasedBy: null,
  };
}
