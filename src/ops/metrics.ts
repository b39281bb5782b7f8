import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PollerEvents } from '../poller/events.ts';

/**
 * What an operator scrapes from each replica at GET /metrics. One registry per process (not prom-client's
 * global one), so tests and two runtimes in one process never share counters.
 */
export interface BotMetrics {
  readonly registry: Registry;
  /**
   * From the poller's events: deployments started and ended, each timed to its terminal state, and the
   * verdicts of the checks after success.
   */
  observe(events: PollerEvents): () => void;
  /** One NCP API call: which service, how it ended (HTTP status class or `timeout`/`network`), how long. */
  ncpCall(service: string, result: string, seconds: number): void;
  /** One Slack Web API call: method, `ok` or Slack's error code, how long. */
  slackCall(method: string, result: string, seconds: number): void;
  /** The reconciler adopted an NCP run the record had lost track of. */
  reconcilerAdopted(): void;
  /** Read at scrape time: deployments in flight and the poller's queue depth. */
  gauges(read: { inFlight: () => number; queueDepth: () => Promise<number> }): void;
  render(): Promise<{ contentType: string; body: string }>;
}

const terminal = new Set(['succeeded', 'failed', 'timed_out', 'canceled']);
const secondsBuckets = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const callBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createBotMetrics(opts: { readonly defaultMetrics?: boolean } = {}): BotMetrics {
  const registry = new Registry();
  // Process CPU, RSS, heap and event-loop lag: the figures a slow replica is diagnosed from.
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'klepaas_' });
  const started = new Counter({
    name: 'klepaas_deployments_started_total',
    help: 'Deployments and rollbacks started',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const ended = new Counter({
    name: 'klepaas_deployments_ended_total',
    help: 'Deployments and rollbacks that reached a terminal state, by outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const toTerminal = new Histogram({
    name: 'klepaas_deployment_duration_seconds',
    help: 'Time from start to the terminal state',
    labelNames: ['operation', 'outcome'] as const,
    buckets: secondsBuckets,
    registers: [registry],
  });
  const ncpCalls = new Histogram({
    name: 'klepaas_ncp_request_duration_seconds',
    help: 'NCP API calls by service and result',
    labelNames: ['service', 'result'] as const,
    buckets: callBuckets,
    registers: [registry],
  });
  const slackCalls = new Histogram({
    name: 'klepaas_slack_api_duration_seconds',
    help: 'Slack Web API calls by method and result',
    labelNames: ['method', 'result'] as const,
    buckets: callBuckets,
    registers: [registry],
  });
  const adopted = new Counter({
    name: 'klepaas_reconciler_adoptions_total',
    help: 'NCP runs the reconciler found and attached to a record in doubt',
    registers: [registry],
  });
  const verifications = new Counter({
    name: 'klepaas_verifications_total',
    help: 'Post-deploy verifications by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  return {
    registry,
    observe(events) {
      return events.subscribe((e) => {
        const operation = e.deployment.operation;
        if (e.kind === 'started') started.inc({ operation });
        else if (e.kind === 'verified' || e.kind === 'verification_failed')
          verifications.inc({ outcome: e.kind });
        else if (terminal.has(e.kind)) {
          ended.inc({ operation, outcome: e.kind });
          toTerminal.observe({ operation, outcome: e.kind }, e.elapsedMs / 1000);
        }
      });
    },
    ncpCall: (service, result, seconds) => ncpCalls.observe({ service, result }, seconds),
    slackCall: (method, result, seconds) => slackCalls.observe({ method, result }, seconds),
    reconcilerAdopted: () => adopted.inc(),
    gauges(read) {
      new Gauge({
        name: 'klepaas_deployments_in_flight',
        help: 'Deployment records not yet in a terminal state',
        registers: [registry],
        collect() {
          this.set(read.inFlight());
        },
      });
      new Gauge({
        name: 'klepaas_poller_queue_depth',
        help: 'Deployments the poller is following or has queued',
        registers: [registry],
        async collect() {
          this.set(await read.queueDepth());
        },
      });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
