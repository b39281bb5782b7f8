import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { highestNcpRunNumber } from '../../../src/db/ncp-ids.ts';
import { openDatabase } from '../../../src/db/open.ts';
import { createStores } from '../../../src/db/stores.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { openSimPersistence } from '../../../src/ncp/simulator/persist.ts';
import { SimState } from '../../../src/ncp/simulator/state.ts';
import { newDeployment } from '../db/helpers.ts';

// The simulator's state shared through a folder by processes on one database (each SimState here stands
// for one process's simulator).
const root = mkdtempSync(join(tmpdir(), 'klepaas-simpersist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PHASE = 100;
const deploy = (state: SimState, startedAt: number, image: string) =>
  state.addDeploy({
    historyId: state.nextId(),
    projectId: 'p',
    stageId: 's',
    scenarioId: 'c',
    image,
    imageExisted: true,
    startedAt,
    willFail: false,
    needsApproval: false,
  });

describe('simulator state kept beside the database', () => {
  it('two processes at once never hand out the same id, and a third sees both runs and what runs now', () => {
    const dir = join(root, 'two');
    const a = new SimState(PHASE);
    const b = new SimState(PHASE);
    const pa = openSimPersistence(dir);
    const pb = openSimPersistence(dir);
    pa.attach(a, () => 0);
    pb.attach(b, () => 0);
    const ids = [
      deploy(a, 0, 'img:1'),
      deploy(b, 10, 'img:2'),
      deploy(a, 20, 'img:3'),
      deploy(b, 30, 'img:4'),
    ].map((d) => d.historyId);
    expect(new Set(ids).size).toBe(4);
    pa.save(a, () => 40, 1111);
    pb.save(b, () => 40, 2222);

    const c = new SimState(PHASE);
    const pc = openSimPersistence(dir);
    pc.attach(c, () => 1000);
    expect([...c.deploys.keys()].sort()).toEqual([...ids].sort());
    // Every run has ended by t=1000; the last to end put its image in place.
    const last = c.deploys.get(ids[3] ?? '');
    expect(last && c.deployView(last, 1000).status).toBe('success');
    expect(c.running.get('p')).toBe('img:4');
    expect(pc.lastPort).toBe(2222);
    expect(Number(c.nextId())).toBeGreaterThan(Math.max(...ids.map(Number)));
  });

  it('a run still going when its process died is answered by the next one', () => {
    const dir = join(root, 'crash');
    const a = new SimState(PHASE);
    const pa = openSimPersistence(dir);
    pa.attach(a, () => 0);
    const run = deploy(a, 0, 'img:9');
    pa.save(a, () => 50, 1);
    // Process a is gone; b starts while the run is in its second phase, then sees it finish.
    const b = new SimState(PHASE);
    openSimPersistence(dir).attach(b, () => 150);
    const seen = b.deploys.get(run.historyId);
    expect(seen && b.deployView(seen, 150).status).toBe('inprogress');
    expect(seen && b.deployView(seen, 250).status).toBe('success');
  });

  it('ids start above what an older database already holds', () => {
    const path = join(root, 'old', 'k.db');
    const opened = openDatabase(path, { logger: silentLogger() });
    const stores = createStores(opened.db);
    const d = stores.deployments.create(newDeployment({ status: 'success', requestKey: 'old-1' }));
    stores.deployments.update(d.id, { deployHistoryId: '1005', buildId: 'a1b2c3d4-1007' });
    const floor = highestNcpRunNumber(opened.sqlite);
    opened.close();
    expect(floor).toBe(1007);
    const state = new SimState(PHASE);
    openSimPersistence(join(root, 'old', 'k.db-simulator'), { idFloor: floor }).attach(state, () => 0);
    expect(state.nextId()).toBe('1008');
  });

  it('an unreadable state file is refused with what to do, not silently reset', () => {
    const dir = join(root, 'bad');
    openSimPersistence(dir);
    writeFileSync(join(dir, 'state.json'), '{"version": 99}');
    expect(() => openSimPersistence(dir)).toThrow(/unreadable; remove the folder/);
  });
});
