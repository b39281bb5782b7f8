import { and, lt, notLike, or, sql } from 'drizzle-orm';
import type { EventLog } from '../services/ports.ts';
import type { Db } from './open.ts';
import { processedEvents } from './schema.ts';

/** Slack retries an event for minutes at most; a day of ids is plenty. */
export const EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;
/**
 * Notice claims (`poller:…`) outlive a deployment's longest wait (an approval may take a day): pruned
 * after a day, a record still waiting would announce its start again after a restart.
 */
export const NOTICE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

export function createEventLog(db: Db): EventLog {
  let lastPrune = Number.NEGATIVE_INFINITY;
  // Prepared once: the poller claims every notice here, and building the INSERT each time cost more
  // than running it. The prune runs once per PRUNE_EVERY_MS and is built when it does.
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
        db.delete(processedEvents)
          .where(
            or(
              and(
                lt(processedEvents.seenAt, new Date(t - EVENT_RETENTION_MS)),
                notLike(processedEvents.eventId, 'poller:%'),
              ),
              lt(processedEvents.seenAt, new Date(t - NOTICE_RETENTION_MS)),
            ),
          )
          .run();
      }
      // The primary key decides: only the first INSERT of an id changes a row, in any process.
      return claim.run({ eventId, seenAt: now }).changes === 1;
    },
  };
}
