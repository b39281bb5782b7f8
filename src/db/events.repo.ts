import { lt, sql } from 'drizzle-orm';
import type { EventLog } from '../services/ports.ts';
import type { Db } from './open.ts';
import { processedEvents } from './schema.ts';

/** Slack retries an event for minutes at most; a day of ids is plenty. */
export const EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

export function createEventLog(db: Db): EventLog {
  let lastPrune = Number.NEGATIVE_INFINITY;
  // Prepared once: the poller claims every notice here, and building the INSERT each time cost more
  // than running it.
  const prune = db
    .delete(processedEvents)
    .where(lt(processedEvents.seenAt, sql.placeholder('before')))
    .prepare();
  const claim = db
    .insert(processedEvents)
    .values({ eventId: sql.placeholder('eventId'), seenAt: sql.placeholder('seenAt') })
    .onConflictDoNothing()
    .prepare();
  return {
    firstSeen(eventId, now) {
      const t = now.getTime();
      if (t - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = t;
        // A bare placeholder in a comparison skips the column's encoder: hand it the stored form.
        prune.run({ before: processedEvents.seenAt.mapToDriverValue(new Date(t - EVENT_RETENTION_MS)) });
      }
      // The primary key decides: only the first INSERT of an id changes a row, in any process.
      return claim.run({ eventId, seenAt: now }).changes === 1;
    },
  };
}
