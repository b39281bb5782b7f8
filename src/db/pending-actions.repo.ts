import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { PendingAction, PendingActionStore } from '../services/ports.ts';
import type { Db } from './open.ts';
import { type PendingActionRow, pendingActions } from './schema.ts';
import { onlyRow } from './sqlite-errors.ts';

const toPendingAction = (row: PendingActionRow): PendingAction => row;

export function createPendingActionStore(db: Db): PendingActionStore {
  // Read on every button press (and while a losing press waits): prepared once.
  const byId = db
    .select()
    .from(pendingActions)
    .where(eq(pendingActions.id, sql.placeholder('id')))
    .prepare();
  const get = (id: string): PendingAction | null => {
    const row = byId.get({ id });
    return row ? toPendingAction(row) : null;
  };

  return {
    create(a) {
      const row = onlyRow(
        db
          .insert(pendingActions)
          .values({ ...a, payload: a.payload === undefined ? null : a.payload, state: 'pending' })
          .returning()
          .all(),
      );
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return toPendingAction(row);
    },

    get,

    decide(id, state, by, now) {
      // One statement: of two presses racing, SQLite lets exactly one UPDATE match `state = 'pending'`.
      const rows = db
        .update(pendingActions)
        .set({ state, decidedBy: by, decidedAt: now })
        .where(
          and(
            eq(pendingActions.id, id),
            eq(pendingActions.state, 'pending'),
            gt(pendingActions.expiresAt, now),
          ),
        )
        .returning()
        .all();
      const row = onlyRow(rows);
      if (row) return toPendingAction(row);
      // Record lapsed confirmations as such, so a later look shows why nothing happened.
      db.update(pendingActions)
        .set({ state: 'expired' })
        .where(
          and(
            eq(pendingActions.id, id),
            eq(pendingActions.state, 'pending'),
            lte(pendingActions.expiresAt, now),
          ),
        )
        .run();
      return null;
    },

    attachDeployment(id, deploymentId) {
      db.update(pendingActions).set({ deploymentId }).where(eq(pendingActions.id, id)).run();
    },
  };
}
