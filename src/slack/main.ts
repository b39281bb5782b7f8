import type { Config } from '../config/load.ts';
import type { Logger } from '../log/logger.ts';
import type { Runtime } from '../runtime/app.ts';
import { createSlackApp, type SlackApp } from './app.ts';

/**
 * Starts the Slack front end on a running runtime: the dispatcher answers, the stored event log dedupes
 * Slack's retries. Poller notices are posted by the Slack notifier, which reuses `app.client` and the
 * helpers in web-api.ts with the renderers in blocks/notices.ts.
 */
export async function startSlackFrontEnd(
  config: Config,
  runtime: Pick<Runtime, 'dispatcher' | 'stores'>,
  logger: Logger,
): Promise<SlackApp> {
  if (!config.slack) throw new Error('Slack is not configured (SLACK_BOT_TOKEN is empty)');
  const slack = createSlackApp({
    config: config.slack,
    dispatcher: runtime.dispatcher,
    eventLog: runtime.stores.events,
    logger,
    timeZone: config.timeZone,
  });
  await slack.start();
  return slack;
}
