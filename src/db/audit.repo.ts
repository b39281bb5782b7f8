import { type AuditStore, type Clock, systemClock } from '../services/ports.ts';
import type { Db } from './open.ts';
import { auditLog } from './schema.ts';

export function createAuditStore(db: Db, clock: Clock = systemClock): AuditStore {
  return {
    record(entry) {
      db.insert(auditLog)
        .values({
          at: clock.now(),
          actor: entry.actor,
          via: entry.via,
          text: entry.text,
          // JSON has no undefined; an intent that was never parsed is stored as NULL.
          intent: entry.intent === undefined ? null : entry.intent,
          outcome: entry.outcome,
          deploymentId: entry.deploymentId ?? null,
          errorCode: entry.errorCode ?? null,
        })
        .run();
    },
  };
}
