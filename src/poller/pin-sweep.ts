import type { RepoPin } from '../domain/deployment.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock, DeploymentStore } from '../services/ports.ts';
import type { PollerEvents } from './events.ts';
import { durationFrom, phaseOf } from './step.ts';

export interface PinSweepDeps {
  /** Claims due reminders in the database: each pin is returned once, whichever process sweeps. */
  readonly claim: () => RepoPin[];
  readonly store: Pick<DeploymentStore, 'get'>;
  readonly events: PollerEvents;
  readonly clock: Clock;
  readonly log: Logger;
}

/** One sweep: a reminder per pin about to end, in the thread of the rollback that pinned it. */
export async function sweepPinReminders(deps: PinSweepDeps): Promise<number> {
  let sent = 0;
  for (const pin of deps.claim()) {
    const d = deps.store.get(pin.rollbackId);
    if (!d) continue;
    const now = deps.clock.now();
    await deps.events.publish({
      kind: 'pin_reminder',
      key: `pin:${pin.id}:reminder`,
      deployment: d,
      previousStatus: d.status,
      status: d.status,
      ncpStatus: d.ncpStatus,
      phase: phaseOf(d),
      failedPhase: null,
      elapsedMs: d.durationMs ?? durationFrom(d, now),
      limitMs: null,
      at: now,
      pin,
    });
    sent += 1;
  }
  if (sent > 0) deps.log.info({ module: 'pins', sent }, 'pin reminders sent');
  return sent;
}

/** Sweeps every `intervalMs` until stopped; a failed sweep is logged and the next one tries again. */
export function startPinSweeper(deps: PinSweepDeps, intervalMs: number): () => void {
  const timer = setInterval(() => {
    sweepPinReminders(deps).catch((err: unknown) => deps.log.error({ err }, 'pin reminder sweep failed'));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
