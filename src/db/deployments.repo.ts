import { and, count, desc, eq, gte, isNotNull, lt, notExists, type SQL, sql } from 'drizzle-orm';
import { alias, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Deployment } from '../domain/deployment.ts';
import { KlepaasError } from '../domain/errors.ts';
import { type Clock, type DeploymentPatch, type DeploymentStore, systemClock } from '../services/ports.ts';
import type { Db } from './open.ts';
import { type DeploymentRow, deployments, inFlightPredicate } from './schema.ts';
import { onlyRow, uniqueViolation } from './sqlite-errors.ts';

const toDeployment = (row: DeploymentRow): Deployment => row;

// Read queries are prepared once per store with placeholders: building drizzle SQL on every call costs
// more than running these index look-ups. Names are compared in lower case to match the lower() indexes.
const repoIs = (t: { owner: SQLiteColumn; repo: SQLiteColumn }): SQL =>
  sql`lower(${t.owner}) = ${sql.placeholder('owner')} and lower(${t.repo}) = ${sql.placeholder('repo')}`;

const repoKey = (owner: string, repo: string) => ({ owner: owner.toLowerCase(), repo: repo.toLowerCase() });

const newestFirst = [desc(deployments.requestedAt), desc(deployments.id)];

function inFlightError(owner: string, repo: string, existing: Deployment | null): KlepaasError {
  const name = `${owner}/${repo}`;
  return new KlepaasError({
    code: 'DEPLOYMENT_IN_FLIGHT',
    status: 409,
    message: {
      en: `${name} already has a deployment in progress${existing ? ` (#${existing.id}, ${existing.status})` : ''}.`,
      ko: `${name}에 이미 진행 중인 배포가 있습니다${existing ? ` (#${existing.id}, ${existing.status})` : ''}.`,
    },
    hint: {
      en: `Wait for it to finish, or check it with \`status ${name}\`.`,
      ko: `끝날 때까지 기다리거나 \`status ${name}\` 로 상태를 확인하세요.`,
    },
    details: { owner, repo, deploymentId: existing?.id ?? null, deploymentStatus: existing?.status ?? null },
  });
}

/** Deployment history queries. `clock` stamps `requestedAt`, so seeds and tests can write the past. */
export function createDeploymentStore(db: Db, clock: Clock = systemClock): DeploymentStore {
  // Successful plain deploys that are the newest record of their commit. The NOT EXISTS probe is one
  // covering-index seek per row, so the cost follows `limit`, not the repo's whole history.
  const newestSuccessfulDeployPerCommit = (statusTerm: SQL, extra?: SQL): SQL => {
    const newer = alias(deployments, 'newer');
    return and(
      repoIs(deployments),
      statusTerm,
      eq(deployments.operation, 'deploy'),
      isNotNull(deployments.commitSha),
      extra,
      notExists(
        db
          .select({ one: sql`1` })
          .from(newer)
          .where(
            and(
              repoIs(newer),
              eq(newer.commitSha, deployments.commitSha),
              eq(newer.status, 'success'),
              eq(newer.operation, 'deploy'),
              sql`(${newer.requestedAt}, ${newer.id}) > (${deployments.requestedAt}, ${deployments.id})`,
            ),
          ),
      ),
    ) as SQL;
  };

  const q = {
    get: db
      .select()
      .from(deployments)
      .where(eq(deployments.id, sql.placeholder('id')))
      .prepare(),
    byRequestKey: db
      .select()
      .from(deployments)
      .where(eq(deployments.requestKey, sql.placeholder('key')))
      .prepare(),
    inFlight: db
      .select()
      .from(deployments)
      .where(and(repoIs(deployments), inFlightPredicate))
      .prepare(),
    successfulDeploys: db
      .select()
      .from(deployments)
      .where(newestSuccessfulDeployPerCommit(eq(deployments.status, 'success')))
      .orderBy(...newestFirst)
      .limit(sql.placeholder('limit'))
      .prepare(),
    history: db
      .select()
      .from(deployments)
      .where(repoIs(deployments))
      .orderBy(...newestFirst)
      .limit(sql.placeholder('limit'))
      .prepare(),
    current: db
      .select()
      .from(deployments)
      .where(and(repoIs(deployments), eq(deployments.status, 'success')))
      .orderBy(...newestFirst)
      .limit(1)
      .prepare(),
    // Unary + keeps SQLite from seeking on status here: after ANALYZE it would otherwise walk every
    // success of the repo instead of the few rows in the SHA range.
    byCommitPrefix: db
      .select()
      .from(deployments)
      .where(
        newestSuccessfulDeployPerCommit(
          sql`+${deployments.status} = 'success'`,
          and(
            gte(deployments.commitSha, sql.placeholder('from')),
            lt(deployments.commitSha, sql.placeholder('to')),
          ),
        ),
      )
      // `+ 0` so the order cannot come off deployments_repo_time: otherwise the planner walks the repo's
      // whole history newest first (11-18 ms at 1M rows) instead of seeking the few rows in the SHA range
      // and sorting them.
      .orderBy(sql`${deployments.requestedAt} + 0 desc`, sql`${deployments.id} + 0 desc`)
      .prepare(),
    countSuccessful: db
      .select({ n: count() })
      .from(deployments)
      .where(and(repoIs(deployments), eq(deployments.status, 'success'), eq(deployments.operation, 'deploy')))
      .prepare(),
  };

  // UPDATE statements prepared once per shape of patch (which columns, which set to NULL): the poller
  // writes a handful of shapes thousands of times, and building plus preparing the SQL each call cost
  // more than the write. NULLs are literal because a column's encoder would not accept them.
  const updates = new Map<string, ReturnType<typeof prepareUpdate>>();
  const prepareUpdate = (keys: readonly (keyof DeploymentPatch)[], nulls: ReadonlySet<string>) =>
    db
      .update(deployments)
      .set(Object.fromEntries(keys.map((k) => [k, nulls.has(k) ? sql`null` : sql.placeholder(`v_${k}`)])))
      .where(eq(deployments.id, sql.placeholder('id')))
      .returning()
      .prepare();
  const runUpdate = (id: number, patch: DeploymentPatch): DeploymentRow[] => {
    const keys = (Object.keys(patch) as (keyof DeploymentPatch)[])
      .filter((k) => patch[k] !== undefined)
      .sort();
    const nulls = new Set<string>(keys.filter((k) => patch[k] === null));
    const shape = keys.map((k) => (nulls.has(k) ? `${k}=null` : k)).join(',');
    let stmt = updates.get(shape);
    if (!stmt) {
      stmt = prepareUpdate(keys, nulls);
      updates.set(shape, stmt);
    }
    const values: Record<string, unknown> = { id };
    for (const k of keys) if (!nulls.has(k)) values[`v_${k}`] = patch[k];
    return stmt.all(values);
  };

  const get = (id: number): Deployment | null => {
    const row = q.get.get({ id });
    return row ? toDeployment(row) : null;
  };

  const findByRequestKey = (key: string): Deployment | null => {
    const row = q.byRequestKey.get({ key });
    return row ? toDeployment(row) : null;
  };

  const inFlight = (owner: string, repo: string): Deployment | null => {
    const row = q.inFlight.get(repoKey(owner, repo));
    return row ? toDeployment(row) : null;
  };

  return {
    create(d) {
      if (d.requestKey !== null) {
        const existing = findByRequestKey(d.requestKey);
        if (existing) return existing;
      }
      try {
        const row = onlyRow(
          db
            .insert(deployments)
            .values({ ...d, requestedAt: clock.now() })
            .returning()
            .all(),
        );
        if (!row) throw new Error('INSERT … RETURNING gave no row');
        return toDeployment(row);
      } catch (err) {
        const violated = uniqueViolation(err);
        if (violated === null) throw err;
        // A retry racing its original: whichever constraint SQLite reported, the key decides.
        if (d.requestKey !== null) {
          const existing = findByRequestKey(d.requestKey);
          if (existing) return existing;
        }
        if (violated === 'deployments_one_in_flight') {
          throw inFlightError(d.owner, d.repo, inFlight(d.owner, d.repo));
        }
        throw err;
      }
    },

    get,
    findByRequestKey,

    update(id, patch: DeploymentPatch) {
      const current = get(id);
      if (!current) {
        throw new KlepaasError({
          code: 'INTERNAL',
          status: 500,
          message: { en: `Deployment #${id} does not exist.`, ko: `배포 #${id} 기록이 없습니다.` },
          details: { deploymentId: id },
        });
      }
      if (Object.values(patch).every((v) => v === undefined)) return current;
      const set = patch.stage !== undefined ? { ...patch, stageAt: clock.now() } : patch;
      try {
        const row = onlyRow(runUpdate(id, set));
        return row ? toDeployment(row) : current;
      } catch (err) {
        if (uniqueViolation(err) === 'deployments_one_in_flight') {
          throw inFlightError(current.owner, current.repo, inFlight(current.owner, current.repo));
        }
        throw err;
      }
    },

    findByRunId(kind, runId) {
      const column = kind === 'build' ? deployments.buildId : deployments.deployHistoryId;
      const row = db.select().from(deployments).where(eq(column, runId)).limit(1).all()[0];
      return row ? toDeployment(row) : null;
    },

    updateIfInFlight(id, patch: DeploymentPatch) {
      const set = patch.stage !== undefined ? { ...patch, stageAt: clock.now() } : patch;
      // .run(): its `changes` is the commit's answer; RETURNING read with .get() can hide a failed write.
      const result = db
        .update(deployments)
        .set(set)
        .where(and(eq(deployments.id, id), inFlightPredicate))
        .run();
      return result.changes === 1 ? get(id) : null;
    },

    successfulDeploys(owner, repo, limit) {
      return q.successfulDeploys.all({ ...repoKey(owner, repo), limit }).map(toDeployment);
    },

    history(owner, repo, limit) {
      return q.history.all({ ...repoKey(owner, repo), limit }).map(toDeployment);
    },

    current(owner, repo) {
      const row = q.current.get(repoKey(owner, repo));
      return row ? toDeployment(row) : null;
    },

    inFlight,

    allVerifying() {
      return db
        .select()
        .from(deployments)
        .where(eq(deployments.verifyStatus, 'verifying'))
        .orderBy(deployments.requestedAt, deployments.id)
        .all()
        .map(toDeployment);
    },
    allInFlight() {
      return db
        .select()
        .from(deployments)
        .where(inFlightPredicate)
        .orderBy(deployments.requestedAt, deployments.id)
        .all()
        .map(toDeployment);
    },

    latest(owner, repo) {
      const row = q.history.get({ ...repoKey(owner, repo), limit: 1 });
      return row ? toDeployment(row) : null;
    },

    // Successful plain deploys (rollbacks excluded), as the source documents count them.
    countSuccessful(owner, repo) {
      return q.countSuccessful.get(repoKey(owner, repo))?.n ?? 0;
    },

    findByCommitPrefix(owner, repo, prefix) {
      // A range instead of LIKE: it seeks the (repo, commit) index; 'g' sorts after every hex digit.
      const from = prefix.toLowerCase();
      return q.byCommitPrefix.all({ ...repoKey(owner, repo), from, to: `${from}g` }).map(toDeployment);
    },
  };
}
