import { and, eq, inArray } from 'drizzle-orm';
import type { ConfirmationReader, ConversationStore } from '../services/ports.ts';
import type { Db } from './open.ts';
import { conversations, pendingActions } from './schema.ts';

export function createConversationStore(db: Db): ConversationStore {
  return {
    get(key) {
      return db.select().from(conversations).where(eq(conversations.key, key)).get()?.state ?? null;
    },
    put(key, state, now) {
      db.insert(conversations)
        .values({ key, state, updatedAt: now })
        .onConflictDoUpdate({ target: conversations.key, set: { state, updatedAt: now } })
        .run();
    },
  };
}

/** Who confirmed what: read from the pending actions that started deployments. */
export function createConfirmationReader(db: Db): ConfirmationReader {
  return {
    forDeployments(ids) {
      if (ids.length === 0) return [];
      return db
        .select({
          deploymentId: pendingActions.deploymentId,
          decidedBy: pendingActions.decidedBy,
          decidedAt: pendingActions.decidedAt,
          requestedBy: pendingActions.requestedBy,
        })
        .from(pendingActions)
        .where(and(inArray(pendingActions.deploymentId, [...ids]), eq(pendingActions.state, 'confirmed')))
        .all()
        .flatMap((r) => (r.deploymentId === null ? [] : [{ ...r, deploymentId: r.deploymentId }]));
    },
  };
}
