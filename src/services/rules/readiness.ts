import type { Deployment, Integration } from '../../domain/deployment.ts';
import type { Bilingual } from '../../domain/errors.ts';
import type { RepoLock } from '../../domain/records.ts';
import type { CandidateList, DiagnoseReport, ReadinessCheck } from '../../domain/reports.ts';
import { imageMissingWarning } from './messages.ts';

/** What the image check found for the tag a rollback would use (candidate 1), or why it did not run. */
export type ImageProbe =
  | { readonly ref: string; readonly exists: boolean; readonly httpStatus: number }
  | { readonly ref: string; readonly error: string };

export interface ReadinessInput {
  readonly owner: string;
  readonly repo: string;
  readonly integration: Integration | null;
  /** Successful plain deployments on record (the reference's deployment_count). */
  readonly successfulCount: number;
  readonly list: CandidateList;
  readonly image: ImageProbe | null;
  readonly inFlight: Deployment | null;
  readonly mode: 'ncp' | 'simulator';
  /** The active deploy lock, if any: a rollback now would be refused. */
  readonly lock?: RepoLock | null;
  /** The newest record, when it failed: what went wrong last, beside what runs now. */
  readonly lastFailure?: Deployment | null;
}

const check = (
  id: string,
  severity: 'issue' | 'warning',
  message: Bilingual,
  hint: Bilingual | null = null,
): ReadinessCheck => ({ id, ok: false, severity, message, hint });

const pass = (id: string, severity: 'issue' | 'warning', message: Bilingual): ReadinessCheck => ({
  id,
  ok: true,
  severity,
  message,
  hint: null,
});

const addHint = (slug: string, flags: string): Bilingual => ({
  en: `klepaas-bot integration add ${slug} ${flags}`,
  ko: `klepaas-bot integration add ${slug} ${flags} 로 설정하세요.`,
});

/**
 * The rollback readiness checks in the troubleshooting guide's order (integration, build project, deploy
 * project, history, image) and then ours (a rollback target exists, in-flight deployment, NCP mode).
 * `issues` block a rollback; `warnings` do not. Sentences for the seed's checks are the guide's own.
 */
export function assessReadiness(input: ReadinessInput): DiagnoseReport {
  const slug = `${input.owner}/${input.repo}`;
  const checks: ReadinessCheck[] = [];
  const i = input.integration;

  if (!i) {
    checks.push(
      check(
        'integration',
        'issue',
        {
          en: 'No project integration found. Set up the project first.',
          ko: '프로젝트 연동 정보가 없습니다. 먼저 프로젝트를 설정하세요.',
        },
        addHint(slug, '--build-project <id> --deploy-project <id> --stage <id> --scenario <id>'),
      ),
    );
  } else {
    checks.push(
      pass('integration', 'issue', {
        en: 'Project integration found.',
        ko: '프로젝트 연동 정보가 있습니다.',
      }),
    );
    checks.push(
      i.buildProjectId
        ? pass('build_project_id', 'issue', {
            en: `Build project ID: ${i.buildProjectId}.`,
            ko: `SourceBuild 프로젝트 ID: ${i.buildProjectId}`,
          })
        : check(
            'build_project_id',
            'issue',
            {
              en: 'Build project ID not configured. Complete project setup.',
              ko: 'SourceBuild 프로젝트 ID가 설정되지 않았습니다. 프로젝트 설정을 완료하세요.',
            },
            addHint(slug, '--update --build-project <id>'),
          ),
    );
    checks.push(
      i.deployProjectId
        ? pass('deploy_project_id', 'issue', {
            en: `Deploy project ID: ${i.deployProjectId}.`,
            ko: `SourceDeploy 프로젝트 ID: ${i.deployProjectId}`,
          })
        : check(
            'deploy_project_id',
            'issue',
            {
              en: 'Deploy project ID not configured. Complete project setup.',
              ko: 'SourceDeploy 프로젝트 ID가 설정되지 않았습니다. 프로젝트 설정을 완료하세요.',
            },
            addHint(slug, '--update --deploy-project <id>'),
          ),
    );
    checks.push(
      i.deployStageId && i.deployScenarioId
        ? pass('deploy_stage', 'issue', {
            en: `Deploy stage ${i.deployStageId}, scenario ${i.deployScenarioId}.`,
            ko: `SourceDeploy 스테이지 ${i.deployStageId}, 시나리오 ${i.deployScenarioId}`,
          })
        : check(
            'deploy_stage',
            'issue',
            {
              en: 'Deploy stage or scenario ID not configured. Complete project setup.',
              ko: 'SourceDeploy 스테이지 또는 시나리오 ID가 설정되지 않았습니다. 프로젝트 설정을 완료하세요.',
            },
            addHint(slug, '--update --stage <id> --scenario <id>'),
          ),
    );
    checks.push(
      i.registryHost
        ? pass('registry', 'issue', {
            en: `Registry: ${i.registryHost}.`,
            ko: `레지스트리: ${i.registryHost}`,
          })
        : check(
            'registry',
            'issue',
            {
              en: 'Container registry host not configured. Complete project setup.',
              ko: '컨테이너 레지스트리(NCR) 주소가 설정되지 않았습니다. 프로젝트 설정을 완료하세요.',
            },
            addHint(slug, '--update --registry <host>'),
          ),
    );
  }

  const hasHistory = input.list.current !== null || input.list.candidates.length > 0;
  checks.push(
    hasHistory
      ? pass('deployment_history', 'issue', {
          en: `${input.successfulCount} successful deployment(s) on record.`,
          ko: `성공한 배포 기록 ${input.successfulCount}건`,
        })
      : check(
          'deployment_history',
          'issue',
          {
            en: 'No deployment history found. Deploy the application first.',
            ko: '배포 기록이 없습니다. 먼저 애플리케이션을 배포하세요.',
          },
          { en: `/deploy ${slug} main`, ko: `/deploy ${slug} main 으로 먼저 배포하세요.` },
        ),
  );

  if (hasHistory) {
    const first = input.list.candidates[0];
    const f = input.list.faulty.length;
    const skipped =
      f > 0
        ? { en: `; ${f} rolled-away-from version(s) skipped`, ko: `, 롤백으로 벗어난 버전 ${f}개 제외` }
        : { en: '', ko: '' };
    checks.push(
      first
        ? pass('rollback_target', 'issue', {
            en: `1 back: ${first.imageTag} (${input.list.candidates.length} candidate(s)${skipped.en}).`,
            ko: `1단계 전: ${first.imageTag} (후보 ${input.list.candidates.length}개${skipped.ko})`,
          })
        : check('rollback_target', 'issue', {
            en: 'No earlier deployment to roll back to: only the running commit has been deployed.',
            ko: '롤백할 이전 배포가 없습니다: 지금 실행 중인 커밋만 배포된 적이 있습니다.',
          }),
    );
  }

  const img = input.image;
  if (img) {
    if ('error' in img) {
      // Unreachable registry: a rollback needs it (to check or rebuild the image), so this blocks.
      checks.push(
        check(
          'image',
          'issue',
          {
            en: `The registry could not be reached to check image ${img.ref}: ${img.error}.`,
            ko: `레지스트리에 연결하지 못해 이미지 ${img.ref}을(를) 확인하지 못했습니다: ${img.error}`,
          },
          {
            en: `Try again shortly: /rollback diagnose ${slug}`,
            ko: `잠시 후 다시 확인하세요: /rollback diagnose ${slug}`,
          },
        ),
      );
    } else if (img.exists) {
      checks.push(
        pass('image', 'warning', {
          en: `Rollback image ${img.ref} found in NCR.`,
          ko: `롤백 이미지 ${img.ref}이(가) NCR에 있습니다.`,
        }),
      );
    } else {
      checks.push(check('image', 'warning', imageMissingWarning(img.ref, img.httpStatus)));
    }
  }

  const f = input.inFlight;
  checks.push(
    f
      ? check(
          'in_flight',
          'issue',
          {
            en: `A deployment is in progress (#${f.id}, ${f.operation}, ${f.status}); a rollback now would be refused.`,
            ko: `배포가 진행 중입니다 (#${f.id}, ${f.operation}, ${f.status}). 지금 롤백하면 거절됩니다.`,
          },
          { en: `/rollback status ${slug}`, ko: `/rollback status ${slug} 로 확인하세요.` },
        )
      : pass('in_flight', 'warning', { en: 'No deployment in progress.', ko: '진행 중인 배포가 없습니다.' }),
  );

  const lock = input.lock;
  if (lock) {
    checks.push(
      check(
        'lock',
        'issue',
        {
          en: `Locked by ${lock.lockedBy ?? '?'}${lock.reason ? ` ("${lock.reason}")` : ''} until ${lock.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; deploys and rollbacks are refused.`,
          ko: `${lock.lockedBy ?? '?'}님이 ${lock.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC까지 잠갔습니다${lock.reason ? ` ("${lock.reason}")` : ''}. 배포와 롤백을 거절합니다.`,
        },
        {
          en: `"unlock ${input.repo}", or add "force" (recorded)`,
          ko: `"${input.repo} 잠금 해제해줘", 또는 "강제로"를 붙이세요 (기록됨)`,
        },
      ),
    );
  }
  const lf = input.lastFailure;
  const runningNow = input.list.current;
  if (lf) {
    const now = runningNow ? runningNow.commitSha.slice(0, 7) : '?';
    checks.push(
      check(
        'last_failure',
        'warning',
        {
          en: `The last ${lf.operation} (#${lf.id}) ${lf.status}${lf.errorStage ? ` at ${lf.errorStage}` : ''}${lf.errorMessage ? `: ${lf.errorMessage}` : ''}. Running now: ${now}.`,
          ko: `마지막 ${lf.operation === 'rollback' ? '롤백' : '배포'} (#${lf.id})이(가) ${lf.status}${lf.errorStage ? ` (${lf.errorStage} 단계)` : ''}${lf.errorMessage ? `: ${lf.errorMessage}` : ''}. 지금 실행 중: ${now}`,
        },
        {
          en: `See the record with /rollback status ${slug}; fix and deploy again, or roll back (candidates: /rollback candidates ${slug}).`,
          ko: `/rollback status ${slug} 로 기록을 확인하고, 고쳐서 다시 배포하거나 롤백하세요 (후보: /rollback candidates ${slug}).`,
        },
      ),
    );
  }

  checks.push(
    input.mode === 'simulator'
      ? check(
          'ncp_mode',
          'warning',
          {
            en: 'No NCP credentials: running against the built-in NCP simulator.',
            ko: 'NCP 인증 정보가 없어 내장 NCP 시뮬레이터를 사용 중입니다.',
          },
          {
            en: 'Set NCP_ACCESS_KEY and NCP_SECRET_KEY to act on Naver Cloud Platform.',
            ko: '실제 NCP를 쓰려면 NCP_ACCESS_KEY와 NCP_SECRET_KEY를 설정하세요.',
          },
        )
      : pass('ncp_mode', 'warning', { en: 'NCP credentials set.', ko: 'NCP 인증 정보가 설정되어 있습니다.' }),
  );

  const failed = checks.filter((c) => !c.ok);
  const current = input.list.current;
  return {
    ready: !failed.some((c) => c.severity === 'issue'),
    owner: input.owner,
    repo: input.repo,
    issues: failed.filter((c) => c.severity === 'issue').map((c) => c.message.en),
    warnings: failed.filter((c) => c.severity === 'warning').map((c) => c.message.en),
    deployment_count: i && hasHistory ? input.successfulCount : null,
    latest_deployment: current
      ? {
          commit_sha: current.commitSha,
          deployed_at: current.deployedAt ? current.deployedAt.toISOString() : null,
        }
      : null,
    checks,
    mode: input.mode,
    in_flight: f,
  };
}
