import type { EventLog } from '../../src/services/ports.ts';

/** An in-memory EventLog for tests (the stored one has the same contract); counts every check per id. */
export function memoryEventLog(): EventLog & { readonly checks: ReadonlyMap<string, number> } {
  const checks = new Map<string, number>();
  return {
    checks,
    firstSeen(eventId: string): boolean {
      const n = (checks.get(eventId) ?? 0) + 1;
      checks.set(eventId, n);
      return n === 1;
    },
  };
}
