// A separate process for the concurrency tests. Each stdin line is one job (JSON); the parent sends a
// line to every worker at the same moment, so their statements really race; each answers one line.
// Workers stay up across jobs because starting Node with drizzle and pino costs seconds on a busy machine.
import { createInterface } from 'node:readline';
import { openDatabase } from '../../../src/db/open.ts';
import { createStores } from '../../../src/db/stores.ts';
import { isKlepaasError } from '../../../src/domain/errors.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { newDeployment } from './helpers.ts';

export interface RaceJob {
  readonly path: string;
  readonly action: 'create' | 'decide' | 'firstSeen' | 'open';
  readonly owner?: string;
  readonly repo?: string;
  readonly requestKey?: string | null;
  readonly id?: string;
  readonly by?: string;
}

const logger = silentLogger();

function act(job: RaceJob): unknown {
  const opened = openDatabase(job.path, { logger });
  try {
    const stores = createStores(opened.db);
    switch (job.action) {
      case 'open':
        return { ok: true, applied: opened.applied };
      case 'create': {
        const d = stores.deployments.create(
          newDeployment({
            owner: job.owner ?? 'K-Le-PaaS',
            repo: job.repo ?? 'test01',
            requestKey: job.requestKey ?? null,
            status: 'queued',
          }),
        );
        return { ok: true, id: d.id };
      }
      case 'decide': {
        const a = stores.pendingActions.decide(job.id ?? '', 'confirmed', job.by ?? null, new Date());
        return { ok: a !== null };
      }
      case 'firstSeen':
        return { ok: stores.events.firstSeen(job.id ?? '', new Date()) };
    }
  } finally {
    opened.close();
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let result: unknown;
  try {
    result = act(JSON.parse(line) as RaceJob);
  } catch (err) {
    result = isKlepaasError(err)
      ? { ok: false, code: err.code }
      : { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
});
rl.on('close', () => process.exit(0));
process.stdout.write('ready\n');
