import { and, eq, sql } from 'drizzle-orm';
import { defaultImageName, type Integration } from '../domain/deployment.ts';
import { type Clock, type IntegrationInput, type IntegrationStore, systemClock } from '../services/ports.ts';
import type { Db } from './open.ts';
import { type IntegrationRow, integrations } from './schema.ts';
import { lowerEq, onlyRow, uniqueViolation } from './sqlite-errors.ts';

const DEFAULT_BRANCH = 'main';

const toIntegration = (row: IntegrationRow): Integration => row;

const sameRepo = (owner: string, repo: string) =>
  and(lowerEq(integrations.owner, owner), lowerEq(integrations.repo, repo));

type Settable = Omit<IntegrationInput, 'owner' | 'repo'>;

// Only fields the caller gave (not undefined) change; a null resets a field, and for the two
// NOT NULL columns a null means "back to the default".
function changes(input: IntegrationInput): Partial<typeof integrations.$inferInsert> {
  const out: Partial<typeof integrations.$inferInsert> = {};
  const keys: (keyof Settable)[] = [
    'scProjectId',
    'scRepoName',
    'buildProjectId',
    'deployProjectId',
    'deployStageId',
    'deployScenarioId',
    'registryHost',
    'manifestPath',
    'noticeChannel',
    'buildBranch',
    'healthUrl',
    'metricsUrl',
    'verifyWindowMs',
    'verifyMaxErrorShare',
    'verifyMaxP95Ms',
  ];
  for (const k of keys) {
    const v = input[k];
    if (v !== undefined) Object.assign(out, { [k]: v });
  }
  if (input.imageName !== undefined)
    out.imageName = input.imageName ?? defaultImageName(input.owner, input.repo);
  if (input.defaultBranch !== undefined) out.defaultBranch = input.defaultBranch ?? DEFAULT_BRANCH;
  if (input.deployers !== undefined) out.deployers = [...input.deployers];
  if (input.autoRollback !== undefined) out.autoRollback = input.autoRollback ?? false;
  return out;
}

export function createIntegrationStore(db: Db, clock: Clock = systemClock): IntegrationStore {
  // Look-ups run on every chat request: prepared once with placeholders (lower-cased values, to match
  // the lower() indexes), since building the SQL and preparing it each time cost more than the query.
  const q = {
    find: db
      .select()
      .from(integrations)
      .where(
        sql`lower(${integrations.owner}) = ${sql.placeholder('owner')} and lower(${integrations.repo}) = ${sql.placeholder('repo')}`,
      )
      .prepare(),
    byRepoName: db
      .select()
      .from(integrations)
      .where(sql`lower(${integrations.repo}) = ${sql.placeholder('repo')}`)
      .orderBy(sql`lower(${integrations.owner})`)
      .prepare(),
    list: db
      .select()
      .from(integrations)
      .orderBy(sql`lower(${integrations.owner})`, sql`lower(${integrations.repo})`)
      .prepare(),
  };

  const find = (owner: string, repo: string): Integration | null => {
    const row = q.find.get({ owner: owner.toLowerCase(), repo: repo.toLowerCase() });
    return row ? toIntegration(row) : null;
  };

  const updateExisting = (existing: Integration, input: IntegrationInput): Integration => {
    const set = { ...changes(input), updatedAt: clock.now() };
    const row = onlyRow(
      db.update(integrations).set(set).where(eq(integrations.id, existing.id)).returning().all(),
    );
    return row ? toIntegration(row) : existing;
  };

  return {
    find,

    findByRepoName(repo) {
      return q.byRepoName.all({ repo: repo.toLowerCase() }).map(toIntegration);
    },

    list() {
      return q.list.all().map(toIntegration);
    },

    upsert(input) {
      const existing = find(input.owner, input.repo);
      if (existing) return updateExisting(existing, input);
      const now = clock.now();
      try {
        const rows = db
          .insert(integrations)
          .values({
            imageName: defaultImageName(input.owner, input.repo),
            defaultBranch: DEFAULT_BRANCH,
            deployers: [],
            ...changes(input),
            owner: input.owner,
            repo: input.repo,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .all();
        const row = onlyRow(rows);
        if (!row) throw new Error('INSERT … RETURNING gave no row');
        return toIntegration(row);
      } catch (err) {
        // Another process added the same repo between our look-up and insert: update theirs instead.
        if (uniqueViolation(err) !== 'integrations_owner_repo_ci') throw err;
        const raced = find(input.owner, input.repo);
        if (!raced) throw err;
        return updateExisting(raced, input);
      }
    },

    remove(owner, repo) {
      return db.delete(integrations).where(sameRepo(owner, repo)).run().changes > 0;
    },
  };
}
