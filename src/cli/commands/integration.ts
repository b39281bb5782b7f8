import type { KlepaasError } from '../../domain/errors.ts';
import type { IntegrationInput } from '../../services/ports.ts';
import { invalidInput } from '../../services/rules/messages.ts';
import { type CliCommand, show } from '../command.ts';
import { renderIntegrations } from '../render.ts';
import { commonOptions, parseCli, parseRepoArg, runCli } from '../runtime.ts';

const usage = `klepaas-bot integration add <owner/repo> [settings] [--update] [--json]
klepaas-bot integration update <owner/repo> [settings] [--json]
klepaas-bot integration list [--json]
klepaas-bot integration remove <owner/repo> [--json]

Settings:
  --build-project ID     SourceBuild project id
  --deploy-project ID    SourceDeploy project id
  --stage ID             SourceDeploy stage id
  --scenario ID          SourceDeploy scenario id
  --sc-project ID        SourceCommit project id
  --sc-repo NAME         SourceCommit repository name (default: the repo name)
  --registry HOST        NCR registry host, e.g. my-reg.kr.ncr.ntruss.com
  --image NAME           image name in NCR (default: <owner>-<repo> in lower case)
  --branch NAME          default branch (default: main)
  --build-branch NAME    branch the SourceBuild project builds; the bot force-pushes the commit to
                         build there, so only the bot may write it (default: klepaas-build)
  --manifest PATH        deploy manifest in SourceCommit (default: MANIFEST_PATH)
  --channel ID           Slack channel for notices
  --deployers IDS        comma-separated Slack user ids allowed to deploy and roll back

Verification after each successful deploy or rollback ("none" resets a setting):
  --health-url URL       the app's health endpoint (2xx, and JSON "status" ok); turns verification on
  --metrics-url URL      the app's Prometheus endpoint (5xx share and p95 over the window)
  --verify-window TIME   how long to watch, e.g. 5m, 90s (default 5m)
  --max-5xx PERCENT      largest 5xx share, e.g. 5 or 0.5% (default 5)
  --max-p95 TIME         largest p95 response time, e.g. 30s, 800ms (default 30s)
  --auto-rollback on|off roll back on its own when a deploy fails verification (default off)
`;

const settings = {
  'build-project': { type: 'string' },
  'deploy-project': { type: 'string' },
  stage: { type: 'string' },
  scenario: { type: 'string' },
  'sc-project': { type: 'string' },
  'sc-repo': { type: 'string' },
  registry: { type: 'string' },
  image: { type: 'string' },
  branch: { type: 'string' },
  'build-branch': { type: 'string' },
  manifest: { type: 'string' },
  channel: { type: 'string' },
  deployers: { type: 'string' },
  'health-url': { type: 'string' },
  'metrics-url': { type: 'string' },
  'verify-window': { type: 'string' },
  'max-5xx': { type: 'string' },
  'max-p95': { type: 'string' },
  'auto-rollback': { type: 'string' },
  update: { type: 'boolean', default: false },
} as const;

type SettingValues = {
  [K in keyof typeof settings]?: (typeof settings)[K]['type'] extends 'string' ? string : boolean;
};

const bad = (flag: string, value: string, want: string): KlepaasError =>
  invalidInput(`--${flag} "${value}": ${want}.`, `--${flag} "${value}": ${want}.`);

const orNone = <T>(v: string | undefined, read: (s: string) => T): T | null | undefined =>
  v === undefined ? undefined : v.trim().toLowerCase() === 'none' ? null : read(v.trim());

/** "5m", "90s", "800ms", "1h", or plain milliseconds. */
export function durationMs(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(v);
  if (!m) throw bad(flag, v, 'expected a time like 5m, 90s or 800ms');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

/** "5", "5%", "0.5 %": a percentage, stored as a share. */
export function percentShare(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(v);
  if (!m) throw bad(flag, v, 'expected a percentage like 5 or 0.5%');
  return Number(m[1]) / 100;
}

function onOff(flag: string, v: string): boolean {
  if (/^(on|true|yes|1)$/i.test(v)) return true;
  if (/^(off|false|no|0)$/i.test(v)) return false;
  throw bad(flag, v, 'expected on or off');
}

/** Only the flags given: an update leaves every other field as it was. */
function toInput(owner: string, repo: string, v: SettingValues): IntegrationInput {
  const put = <K extends keyof IntegrationInput>(key: K, value: IntegrationInput[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  return {
    owner,
    repo,
    ...put('buildProjectId', v['build-project'] as string | undefined),
    ...put('deployProjectId', v['deploy-project'] as string | undefined),
    ...put('deployStageId', v.stage as string | undefined),
    ...put('deployScenarioId', v.scenario as string | undefined),
    ...put('scProjectId', v['sc-project'] as string | undefined),
    ...put('scRepoName', v['sc-repo'] as string | undefined),
    ...put('registryHost', v.registry as string | undefined),
    ...put('imageName', v.image as string | undefined),
    ...put('defaultBranch', v.branch as string | undefined),
    ...put('buildBranch', v['build-branch'] as string | undefined),
    ...put('manifestPath', v.manifest as string | undefined),
    ...put('noticeChannel', v.channel as string | undefined),
    ...put(
      'healthUrl',
      orNone(v['health-url'] as string | undefined, (x) => x),
    ),
    ...put(
      'metricsUrl',
      orNone(v['metrics-url'] as string | undefined, (x) => x),
    ),
    ...put(
      'verifyWindowMs',
      orNone(v['verify-window'] as string | undefined, (x) => durationMs('verify-window', x)),
    ),
    ...put(
      'verifyMaxErrorShare',
      orNone(v['max-5xx'] as string | undefined, (x) => percentShare('max-5xx', x)),
    ),
    ...put(
      'verifyMaxP95Ms',
      orNone(v['max-p95'] as string | undefined, (x) => durationMs('max-p95', x)),
    ),
    ...put(
      'autoRollback',
      orNone(v['auto-rollback'] as string | undefined, (x) => onOff('auto-rollback', x)),
    ),
    ...put(
      'deployers',
      typeof v.deployers === 'string'
        ? v.deployers
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    ),
  };
}

const command: CliCommand = {
  summary: 'Add, update, list or remove project integrations',
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const parsed = parseCli(rest, { ...commonOptions, ...settings }, ctx.io.stderr);
    if (!parsed || parsed.values.help || !sub || !['add', 'update', 'list', 'remove'].includes(sub)) {
      ctx.io.stderr.write(
        sub && !['add', 'update', 'list', 'remove', '--help', '-h'].includes(sub)
          ? `Unknown integration command "${sub}".\n\n${usage}`
          : usage,
      );
      return parsed?.values.help || sub === '--help' || sub === '-h' ? 0 : 2;
    }
    const { values, positionals } = parsed;
    return runCli(ctx, values, async (rt, io) => {
      const svc = rt.services.integrations;
      if (sub === 'list') {
        const list = svc.list();
        show(io, list, () => renderIntegrations(list));
        return 0;
      }
      const { owner, repo } = parseRepoArg(positionals[0]);
      if (sub === 'remove') {
        svc.remove(owner, repo);
        show(io, { removed: { owner, repo } }, () => `Removed the integration of ${owner}/${repo}.`);
        return 0;
      }
      const input = toInput(owner, repo, values);
      const saved = sub === 'update' || values.update ? svc.update(input) : svc.add(input);
      show(io, saved, () => renderIntegrations([saved]));
      io.note(`Check it with: klepaas-bot diagnose ${saved.owner}/${saved.repo}`);
      return 0;
    });
  },
};

export default command;
