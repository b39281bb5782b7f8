import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PendingAction } from '../../../src/services/ports.ts';
import { newDeployment, type TempDb, tempDb } from './helpers.ts';

let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.cleanup());

const at = (iso: string) => new Date(iso);

function pending(id: string, expiresAt = '2026-01-01T00:10:00Z'): PendingAction {
  return t.stores.pendingActions.create({
    id,
    kind: 'rollback',
    payload: { owner: 'K-Le-PaaS', repo: 'test01', steps: 1 },
    requestedBy: 'U1',
    via: 'slack',
    lang: 'ko',
    slackChannel: 'C1',
    slackThreadTs: '1.2',
    createdAt: at('2026-01-01T00:00:00Z'),
    expiresAt: at(expiresAt),
  });
}

describe('pending actions', () => {
  it('round-trips the request and starts pending', () => {
    const a = pending('p1');
    expect(a).toMatchObject({ state: 'pending', decidedBy: null, deploymentId: null });
    expect(t.stores.pendingActions.get('p1')).toEqual(a);
    expect(a.payload).toEqual({ owner: 'K-Le-PaaS', repo: 'test01', steps: 1 });
  });

  it('lets exactly one of two presses decide', () => {
    pending('p1');
    const now = at('2026-01-01T00:05:00Z');
    const first = t.stores.pendingActions.decide('p1', 'confirmed', 'U1', now);
    const second = t.stores.pendingActions.decide('p1', 'canceled', 'U2', now);
    expect(first).toMatchObject({ state: 'confirmed', decidedBy: 'U1', decidedAt: now });
    expect(second).toBeNull();
    expect(t.stores.pendingActions.get('p1')?.state).toBe('confirmed');
  });

  it('refuses a press at or after expiry and records the lapse', () => {
    pending('p1');
    expect(t.stores.pendingActions.decide('p1', 'confirmed', 'U1', at('2026-01-01T00:10:00Z'))).toBeNull();
    expect(t.stores.pendingActions.get('p1')?.state).toBe('expired');
    expect(t.stores.pendingActions.decide('nope', 'confirmed', 'U1', at('2026-01-01T00:01:00Z'))).toBeNull();
  });

  it('attaches the deployment it started', () => {
    pending('p1');
    const d = t.stores.deployments.create(newDeployment());
    t.stores.pendingActions.attachDeployment('p1', d.id);
    expect(t.stores.pendingActions.get('p1')?.deploymentId).toBe(d.id);
  });
});

describe('event log', () => {
  it('is true only the first time an id is seen', () => {
    const now = at('2026-01-01T00:00:00Z');
    expect(t.stores.events.firstSeen('Ev1', now)).toBe(true);
    expect(t.stores.events.firstSeen('Ev1', now)).toBe(false);
    expect(t.stores.events.firstSeen('Ev2', now)).toBe(true);
  });

  it('forgets ids older than a day', () => {
    expect(t.stores.events.firstSeen('old', at('2026-01-01T00:00:00Z'))).toBe(true);
    expect(t.stores.events.firstSeen('recent', at('2026-01-01T23:00:00Z'))).toBe(true);
    expect(t.stores.events.firstSeen('x', at('2026-01-02T12:00:00Z'))).toBe(true);
    const ids = t.sqlite.prepare('SELECT event_id FROM processed_events ORDER BY event_id').pluck().all();
    expect(ids).toEqual(['recent', 'x']);
  });
});

describe('audit log', () => {
  it('records who asked what, the parsed intent and the outcome', () => {
    const d = t.stores.deployments.create(newDeployment());
    t.clock.set('2026-05-05T05:05:05.000Z');
    t.stores.audit.record({
      actor: 'U1',
      via: 'slack',
      text: 'K-Le-PaaS/test01 롤백 해줘',
      intent: { action: 'rollback', steps: 1 },
      outcome: 'started',
      deploymentId: d.id,
    });
    t.stores.audit.record({
      actor: null,
      via: 'cli',
      text: 'x',
      intent: undefined,
      outcome: 'refused',
      errorCode: 'FORBIDDEN',
    });
    const rows = t.sqlite.prepare('SELECT * FROM audit_log ORDER BY id').all();
    expect(rows).toEqual([
      {
        id: 1,
        at: Date.parse('2026-05-05T05:05:05.000Z'),
        actor: 'U1',
        via: 'slack',
        text: 'K-Le-PaaS/test01 롤백 해줘',
        intent: '{"action":"rollback","steps":1}',
        outcome: 'started',
        deployment_id: d.id,
        error_code: null,
      },
      expect.objectContaining({ actor: null, via: 'cli', intent: null, error_code: 'FORBIDDEN' }),
    ]);
  });
});
