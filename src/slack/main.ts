import type { Config } from '../config/load.ts';
import type { Logger } from '../log/logger.ts';
import { routeEventsToNotifiers } from '../notify/fan-out.ts';
import { createSlackNotifier } from '../notify/slack.ts';
import { opsRoutes } from '../ops/routes.ts';
import type { Runtime } from '../runtime/app.ts';
import { createSlackApp, type SlackApp, type SlackAppOptions } from './app.ts';
import type { PaceOptions } from './web-api.ts';

export interface SlackFrontEnd {
  readonly slack: SlackApp;
  /** The bound HTTP port (/slack/events and /healthz; only /healthz in Socket Mode). */
  readonly port: number | null;
  /** Stops taking notices, lets queued ones go out (bounded), then stops the app. */
  stop(): Promise<void>;
}

// On shutdown, queued notices get this long to reach Slack; the records are written either way.
const NOTICE_DRAIN_MS = 5000;

/**
 * Starts the Slack front end on a running runtime: the dispatcher answers, the stored event log dedupes
 * Slack's retries, and the poller's notices go to the request's thread through the Slack notifier.
 */
export async function startSlackFrontEnd(
  config: Config,
  runtime: Pick<Runtime, 'dispatcher' | 'stores' | 'events'> & Partial<Pick<Runtime, 'ops'>>,
  logger: Logger,
  opts: { readonly pace?: PaceOptions; readonly identity?: SlackAppOptions['identity'] } = {},
): Promise<SlackFrontEnd> {
  if (!config.slack) throw new Error('Slack is not configured (SLACK_BOT_TOKEN is empty)');
  const slack = createSlackApp({
    config: config.slack,
    dispatcher: runtime.dispatcher,
    eventLog: runtime.stores.events,
    logger,
    timeZone: config.timeZone,
    // The notifier's progress message says what started; the press itself only swaps the buttons.
    noticesInThread: true,
    ...(opts.pace ? { pace: opts.pace } : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
    ...(runtime.ops ? { routes: opsRoutes(runtime.ops) } : {}),
    ...(runtime.ops?.metrics ? { onSlackCall: runtime.ops.metrics.slackCall } : {}),
  });
  const notifier = createSlackNotifier({
    poster: slack.poster,
    deployments: runtime.stores.deployments,
    integrations: runtime.stores.integrations,
    timeZone: config.timeZone,
    logger,
  });
  const unsubscribe = routeEventsToNotifiers(runtime.events, [notifier], logger);
  let port: number | null;
  try {
    ({ port } = await slack.start());
  } catch (err) {
    unsubscribe();
    throw err;
  }
  return {
    slack,
    port,
    async stop() {
      unsubscribe();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        notifier.idle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, NOTICE_DRAIN_MS);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      await slack.stop();
    },
  };
}
