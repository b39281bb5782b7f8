import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const docs = parseAllDocuments(
  readFileSync(new URL('../../../deploy/kubernetes.yaml', import.meta.url), 'utf8'),
);

const kinds = { Deployment, Service, Secret, PodDisruptionBudget } as const;

describe('deploy/kubernetes.yaml', () => {
  it('is valid YAML whose every object passes the Kubernetes API schema', () => {
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const seen: string[] = [];
    for (const doc of docs) {
      const obj = doc.toJS() as { kind: keyof typeof kinds };
      const Model = kinds[obj.kind];
      expect(Model, `unexpected kind ${obj.kind}`).toBeDefined();
      // validate() throws with the JSON-schema path of the first mistake.
      new Model(obj as never).validate();
      seen.push(obj.kind);
    }
    expect(seen.sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Secret', 'Service']);
  });

  it('runs two non-root replicas that stay available during an update and drain on SIGTERM', () => {
    const dep = docs.map((d) => d.toJS()).find((o) => o.kind === 'Deployment');
    const spec = dep.spec;
    expect(spec.replicas).toBe(2);
    expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const pod = spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(20);
    const c = pod.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe('/healthz');
    expect(c.livenessProbe.httpGet.path).toBe('/livez');
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    const secretKeys = Object.keys(docs.map((d) => d.toJS()).find((o) => o.kind === 'Secret').stringData);
    // Shared state is what makes two replicas one bot.
    expect(secretKeys).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL']));
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');
  const stages = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);

  it('builds in one stage and runs compiled JavaScript on Node 22 as a non-root user in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.every((s) => s?.startsWith('node:22'))).toBe(true);
    const final = text.slice(text.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/CMD \["node", "dist\/main\.js"\]/);
    expect(final).not.toMatch(/--experimental-strip-types/);
  });
});

describe('docker build', () => {
  const probe = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
  const daemon = probe.status === 0;
  if (!daemon) {
    console.log(
      `docker build skipped: no Docker daemon here (${(probe.stderr || String(probe.error)).trim().split('\n')[0]})`,
    );
  }
  it.skipIf(!daemon)(
    'builds the image',
    () => {
      const root = new URL('../../..', import.meta.url).pathname;
      const res = spawnSync('docker', ['build', '-q', '-t', 'klepaas-bot:test', root], { encoding: 'utf8' });
      expect(res.status, res.stderr).toBe(0);
    },
    600_000,
  );
});
