import { z } from 'zod';
import type { Integration } from '../domain/deployment.ts';
import { OWNER_PATTERN, REPO_PATTERN } from '../domain/repo-ref.ts';
import type { ServiceDeps } from './deps.ts';
import type { IntegrationInput } from './ports.ts';
import { integrationExists, integrationNotFound, invalidInput } from './rules/messages.ts';

const id = z.string().trim().min(1).max(64).nullable().optional();
// The bot asks these addresses itself: only http(s), never another scheme.
const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .max(2048)
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), `${what} must be an http(s) URL`)
    .nullable()
    .optional();

/** What may come from a flag or a form; checked here so the store only sees clean values. */
export const integrationInputSchema = z.object({
  owner: z.string().regex(OWNER_PATTERN, 'owner must be a GitHub-style name'),
  repo: z.string().regex(REPO_PATTERN, 'repo must be a GitHub-style name'),
  scProjectId: id,
  scRepoName: id,
  buildProjectId: id,
  deployProjectId: id,
  deployStageId: id,
  deployScenarioId: id,
  registryHost: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'registry must be a host name, optionally with :port')
    .nullable()
    .optional(),
  imageName: z
    .string()
    .trim()
    .regex(/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/, 'image must be a lower-case registry repository name')
    .nullable()
    .optional(),
  defaultBranch: z.string().trim().min(1).max(255).nullable().optional(),
  buildBranch: z.string().trim().min(1).max(255).nullable().optional(),
  manifestPath: z.string().trim().min(1).max(255).nullable().optional(),
  noticeChannel: z.string().trim().min(1).max(64).nullable().optional(),
  deployers: z.array(z.string().trim().min(1)).optional(),
  healthUrl: httpUrl('health URL'),
  metricsUrl: httpUrl('metrics URL'),
  verifyWindowMs: z
    .number()
    .int()
    .min(1000, 'the verification window is at least 1 s')
    .max(86_400_000)
    .nullable()
    .optional(),
  verifyMaxErrorShare: z
    .number()
    .min(0)
    .max(1, 'the 5xx share is a percentage up to 100')
    .nullable()
    .optional(),
  verifyMaxP95Ms: z.number().int().min(1).max(3_600_000).nullable().optional(),
  autoRollback: z.boolean().nullable().optional(),
});

function parse(input: IntegrationInput): IntegrationInput {
  const r = integrationInputSchema.safeParse(input);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw invalidInput(`Invalid integration: ${why}.`, `연동 정보가 올바르지 않습니다: ${why}.`);
}

export function addIntegration(deps: ServiceDeps, input: IntegrationInput): Integration {
  const clean = parse(input);
  const existing = deps.integrations.find(clean.owner, clean.repo);
  if (existing) throw integrationExists(existing.owner, existing.repo);
  return deps.integrations.upsert(clean);
}

export function updateIntegration(deps: ServiceDeps, input: IntegrationInput): Integration {
  const clean = parse(input);
  if (!deps.integrations.find(clean.owner, clean.repo)) throw integrationNotFound(clean.owner, clean.repo);
  return deps.integrations.upsert(clean);
}

export function listIntegrations(deps: ServiceDeps): Integration[] {
  return deps.integrations.list();
}

export function removeIntegration(deps: ServiceDeps, owner: string, repo: string): void {
  if (!deps.integrations.remove(owner, repo)) throw integrationNotFound(owner, repo);
}
