/**
 * Wakes a press that lost the race for a confirmation as soon as the winning press in this process has
 * started its work (or failed to). A press won by another bot process is only seen in the database, so
 * the waiter also wakes after `ms` to read it again.
 */
export interface SettleSignal {
  /** The winner in this process is done with `pendingId`: its deployment is attached, or never will be. */
  settled(pendingId: string): void;
  /** 'settled' when this process's winner finished, 'timeout' after `ms` (time to read the database). */
  next(pendingId: string, ms: number): Promise<'settled' | 'timeout'>;
}

export function createSettleSignal(): SettleSignal {
  const waiters = new Map<string, Set<(how: 'settled' | 'timeout') => void>>();
  return {
    settled(pendingId) {
      const set = waiters.get(pendingId);
      waiters.delete(pendingId);
      for (const wake of set ?? []) wake('settled');
    },
    next(pendingId, ms) {
      return new Promise((resolve) => {
        const set = waiters.get(pendingId) ?? new Set();
        waiters.set(pendingId, set);
        const wake = (how: 'settled' | 'timeout') => {
          clearTimeout(timer);
          set.delete(wake);
          if (set.size === 0 && waiters.get(pendingId) === set) waiters.delete(pendingId);
          resolve(how);
        };
        const timer = setTimeout(() => wake('timeout'), ms);
        set.add(wake);
      });
    },
  };
}
