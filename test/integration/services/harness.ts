import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/db/open.ts';
import { createStores, type Stores } from '../../../src/db/stores.ts';
import type { Requester } from '../../../src/domain/deployment.ts';
import { KlepaasError } from '../../../src/domain/errors.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { NcpClient } from '../../../src/ncp/client.ts';
import { type DemoSeed, type NcpSimulator, startNcpSimulator } from '../../../src/ncp/simulator/index.ts';
import { seedDemoData } from '../../../src/runtime/seed-demo.ts';
import { createServices, type Services } from '../../../src/runtime/services.ts';
import { systemClock } from '../../../src/services/ports.ts';

export interface Harness {
  readonly sim: NcpSimulator;
  readonly demo: DemoSeed;
  readonly stores: Stores;
  readonly ncp: NcpClient;
  readonly services: Services;
  readonly tracked: number[];
  readonly dbPath: string;
  close(): Promise<void>;
}

export const requester: Requester = { via: 'cli', user: 'tester', lang: 'en' };

/** A real SQLite file in a temp dir, the simulator over HTTP on 127.0.0.1, the real NCP client. */
export async function openHarness(opts: { phaseMs?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'klepaas-svc-'));
  const dbPath = join(dir, 'klepaas.db');
  const opened = openDatabase(dbPath, { logger: silentLogger() });
  const stores = createStores(opened.db);
  const sim = await startNcpSimulator({ phaseMs: opts.phaseMs ?? 50 });
  const demo = await sim.seedDemo();
  seedDemoData(stores, demo);
  // Few retries, short waits: the tests that inject 5xx want to see the outcome quickly.
  const ncp = new NcpClient({
    ...sim.clientOptions(5_000),
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
  });
  const tracked: number[] = [];
  const services = createServices({
    integrations: stores.integrations,
    deployments: stores.deployments,
    audit: stores.audit,
    ncp,
    clock: systemClock,
    tracker: { track: async (id) => void tracked.push(id) },
    logger: silentLogger(),
    manifestPath: 'k8s/deployment.yaml',
  });
  return {
    sim,
    demo,
    stores,
    ncp,
    services,
    tracked,
    dbPath,
    async close() {
      await ncp.close();
      await sim.stop();
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The refusal a promise ends with; fails the test when it resolves. */
export async function refusal(p: Promise<unknown>): Promise<KlepaasError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KlepaasError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

export { waitFor } from '../../support/wait-for.ts';
