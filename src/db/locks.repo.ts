import { and, desc, gt, isNull, sql } from 'drizzle-orm';
import type { LockStore, RepoLock } from '../services/ports.ts';
import type { Db } from './open.ts';
import { type RepoLockRow, repoLocks } from './schema.ts';

const toLock = (row: RepoLockRow): RepoLock => row;
const repoIs = (owner: string, repo: string) =>
  sql`lower(${repoLocks.owner}) = ${owner.toLowerCase()} and lower(${repoLocks.repo}) = ${repo.toLowerCase()}`;

export function createLockStore(db: Db): LockStore {
  const active = (owner: string, repo: string, now: Date): RepoLock | null => {
    const row = db
      .select()
      .from(repoLocks)
      .where(and(repoIs(owner, repo), isNull(repoLocks.releasedAt), gt(repoLocks.expiresAt, now)))
      .orderBy(desc(repoLocks.lockedAt), desc(repoLocks.id))
      .limit(1)
      .get();
    return row ? toLock(row) : null;
  };
  const releaseActive = (owner: string, repo: string, by: string | null, now: Date) =>
    db
      .update(repoLocks)
      .set({ releasedAt: now, releasedBy: by })
      .where(and(repoIs(owner, repo), isNull(repoLocks.releasedAt), gt(repoLocks.expiresAt, now)))
      .returning()
      .all();

  return {
    active,
    take(l) {
      // One transaction: two people locking at once leave exactly one active lock.
      return db.transaction(() => {
        releaseActive(l.owner, l.repo, l.lockedBy, l.lockedAt);
        return toLock(db.insert(repoLocks).values(l).returning().get());
      });
    },
    release(owner, repo, by, now) {
      const [row] = releaseActive(owner, repo, by, now);
      return row ? toLock(row) : null;
    },
    recent(owner, repo, limit) {
      return db
        .select()
        .from(repoLocks)
        .where(repoIs(owner, repo))
        .orderBy(desc(repoLocks.lockedAt), desc(repoLocks.id))
        .limit(limit)
        .all()
        .map(toLock);
    },
  };
}
