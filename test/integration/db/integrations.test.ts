import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TempDb, tempDb } from './helpers.ts';

let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.cleanup());

describe('integrations', () => {
  it('inserts with defaults and finds the project whatever the case', () => {
    const store = t.stores.integrations;
    const made = store.upsert({ owner: 'K-Le-PaaS', repo: 'Test01', buildProjectId: '12345' });
    expect(made).toMatchObject({
      owner: 'K-Le-PaaS',
      repo: 'Test01',
      imageName: 'k-le-paas-test01',
      defaultBranch: 'main',
      buildProjectId: '12345',
      deployProjectId: null,
      deployers: [],
    });
    expect(store.find('k-le-paas', 'TEST01')?.id).toBe(made.id);
    expect(store.find('K-Le-PaaS', 'test02')).toBeNull();
  });

  it('updates only the given fields and keeps one row per project', () => {
    const store = t.stores.integrations;
    const made = store.upsert({
      owner: 'K-Le-PaaS',
      repo: 'test01',
      buildProjectId: '1',
      deployProjectId: '2',
      noticeChannel: 'C1',
      deployers: ['U1'],
    });
    t.clock.advance(1000);
    const changed = store.upsert({
      owner: 'k-le-paas',
      repo: 'TEST01',
      deployProjectId: '3',
      noticeChannel: null,
    });
    expect(changed).toMatchObject({
      id: made.id,
      owner: 'K-Le-PaaS',
      buildProjectId: '1',
      deployProjectId: '3',
      noticeChannel: null,
      deployers: ['U1'],
    });
    expect(changed.createdAt).toEqual(made.createdAt);
    expect(changed.updatedAt.getTime()).toBe(made.updatedAt.getTime() + 1000);
    expect(store.list()).toHaveLength(1);
    // A null for a required field means "back to the default".
    expect(store.upsert({ owner: 'K-Le-PaaS', repo: 'test01', imageName: 'custom' }).imageName).toBe(
      'custom',
    );
    expect(store.upsert({ owner: 'K-Le-PaaS', repo: 'test01', imageName: null }).imageName).toBe(
      'k-le-paas-test01',
    );
  });

  it('the database itself refuses a second row differing only in case', () => {
    t.stores.integrations.upsert({ owner: 'K-Le-PaaS', repo: 'test01' });
    const insert = t.sqlite.prepare(
      "INSERT INTO integrations (owner, repo, image_name, created_at, updated_at) VALUES ('k-le-paas', 'TEST01', 'x', 0, 0)",
    );
    expect(() => insert.run()).toThrow(/UNIQUE/);
  });

  it('finds by repo name across owners, lists sorted, removes', () => {
    const store = t.stores.integrations;
    store.upsert({ owner: 'zeta', repo: 'api' });
    store.upsert({ owner: 'Alpha', repo: 'API' });
    store.upsert({ owner: 'alpha', repo: 'web' });
    expect(store.findByRepoName('Api').map((i) => i.owner)).toEqual(['Alpha', 'zeta']);
    expect(store.list().map((i) => `${i.owner}/${i.repo}`)).toEqual(['Alpha/API', 'alpha/web', 'zeta/api']);
    expect(store.remove('ALPHA', 'api')).toBe(true);
    expect(store.remove('alpha', 'api')).toBe(false);
    expect(store.findByRepoName('api').map((i) => i.owner)).toEqual(['zeta']);
  });
});
