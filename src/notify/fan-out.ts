import type { Logger } from '../log/logger.ts';
import type { PollerEvent, PollerEventKind, PollerEvents } from '../poller/events.ts';
import type { NoticeKind, Notifier } from './port.ts';

const methodFor: Readonly<Record<PollerEventKind, NoticeKind>> = {
  started: 'started',
  progress: 'progress',
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'timedOut',
  canceled: 'canceled',
  verifying: 'verifying',
  verified: 'verified',
  verification_failed: 'verificationFailed',
  pin_reminder: 'pinReminder',
};

export const noticeKindOf = (kind: PollerEventKind): NoticeKind => methodFor[kind];

/** Sends one poller event to each notifier; a notifier that fails is logged and never blocks the others. */
export async function deliver(
  event: PollerEvent,
  notifiers: readonly Notifier[],
  log: Logger,
): Promise<void> {
  const method = methodFor[event.kind];
  await Promise.all(
    notifiers.map(async (notifier) => {
      try {
        await notifier[method](event);
      } catch (err) {
        log.error(
          { err, module: 'notify', deploymentId: event.deployment.id, event: event.kind },
          'notice could not be delivered',
        );
      }
    }),
  );
}

/** Routes every poller event to the notifiers; returns the unsubscribe function. */
export function routeEventsToNotifiers(
  events: PollerEvents,
  notifiers: readonly Notifier[],
  log: Logger,
): () => void {
  return events.subscribe((event) => deliver(event, notifiers, log));
}
