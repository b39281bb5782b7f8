import { and, desc, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { RepoPin } from '../domain/deployment.ts';
import type { PinStore } from '../services/ports.ts';
import type { Db } from './open.ts';
import { type RepoPinRow, repoPins } from './schema.ts';

const toPin = (row: RepoPinRow): RepoPin => row;
const repoIs = (owner: string, repo: string) =>
  sql`lower(${repoPins.owner}) = ${owner.toLowerCase()} and lower(${repoPins.repo}) = ${repo.toLowerCase()}`;

export function createPinStore(db: Db): PinStore {
  const activeTerm = (now: Date) => and(isNull(repoPins.unpinnedAt), gt(repoPins.expiresAt, now));
  return {
    pin(p) {
      const row = db
        .insert(repoPins)
        .values(p)
        .onConflictDoNothing({ target: repoPins.rollbackId })
        .returning()
        .get();
      if (row) return toPin(row);
      const existing = db.select().from(repoPins).where(eq(repoPins.rollbackId, p.rollbackId)).get();
      if (!existing) throw new Error(`pin of rollback #${p.rollbackId} vanished`);
      return toPin(existing);
    },
    active(owner, repo, now) {
      const row = db
        .select()
        .from(repoPins)
        .where(and(repoIs(owner, repo), activeTerm(now)))
        .orderBy(desc(repoPins.pinnedAt), desc(repoPins.id))
        .limit(1)
        .get();
      return row ? toPin(row) : null;
    },
    unpin(owner, repo, by, reason, now) {
      return db
        .update(repoPins)
        .set({ unpinnedAt: now, unpinnedBy: by, unpinReason: reason })
        .where(and(repoIs(owner, repo), activeTerm(now)))
        .returning()
        .all()
        .map(toPin);
    },
    dueReminders(now, leadMs) {
      return db
        .select()
        .from(repoPins)
        .where(
          and(
            isNull(repoPins.unpinnedAt),
            isNull(repoPins.remindedAt),
            gt(repoPins.expiresAt, now),
            lte(repoPins.expiresAt, new Date(now.getTime() + leadMs)),
          ),
        )
        .all()
        .map(toPin);
    },
    claimReminder(id, now) {
      // Conditional update: of two processes sweeping at once, one changes the row.
      const r = db
        .update(repoPins)
        .set({ remindedAt: now })
        .where(and(eq(repoPins.id, id), isNull(repoPins.remindedAt)))
        .run();
      return r.changes === 1;
    },
  };
}
