import type { Clock, EventLog } from '../services/ports.ts';

/**
 * Claims a key the first time it is seen, so an event named by it is published once even when a tick
 * runs twice (a stalled job taken over by another worker, a deployment tracked twice).
 */
export interface OnceGuard {
  first(key: string): Promise<boolean>;
}

/**
 * Process memory, for the in-process driver. Bounded: the oldest keys go first, which is safe because
 * a deployment's events are all claimed within its few minutes in flight.
 */
export function memoryOnceGuard(maxKeys = 100_000): OnceGuard {
  const seen = new Set<string>();
  return {
    async first(key) {
      if (seen.has(key)) return false;
      seen.add(key);
      if (seen.size > maxKeys) {
        const oldest = seen.values().next();
        if (!oldest.done) seen.delete(oldest.value);
      }
      return true;
    },
  };
}

/**
 * Claims in the database's delivered-events log, so a restarted process does not announce again what
 * the previous one already did (the in-process driver's choice in production).
 */
export function eventLogOnceGuard(log: EventLog, clock: Clock): OnceGuard {
  return {
    async first(key) {
      return log.firstSeen(`poller:${key}`, clock.now());
    },
  };
}
