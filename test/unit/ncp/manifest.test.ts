import { describe, expect, it } from 'vitest';
import { readManifestImage, setManifestImageText, splitImageRef } from '../../../src/ncp/manifest.ts';

const manifest = `# Deployed by SourceDeploy
apiVersion: apps/v1
kind: Deployment
metadata:
  name: test01
spec:
  replicas: 2 # two for rolling updates
  template:
    spec:
      containers:
        - name: sidecar
          image: docker.io/library/nginx:1.27
        - name: app
          image: reg.example.com:5000/k-le-paas-test01:aaaaaaa # pinned by the bot
---
apiVersion: v1
kind: Service
metadata:
  name: test01
`;

describe('image references', () => {
  it('separates registry port from tag', () => {
    expect(splitImageRef('reg.example.com:5000/a/b:abc1234')).toEqual({
      repository: 'reg.example.com:5000/a/b',
      tag: 'abc1234',
      digest: null,
    });
    expect(splitImageRef('reg.example.com:5000/a/b')).toMatchObject({
      repository: 'reg.example.com:5000/a/b',
      tag: null,
    });
    expect(splitImageRef('x/y:t@sha256:00')).toEqual({ repository: 'x/y', tag: 't', digest: 'sha256:00' });
  });
});

describe('manifest image edit', () => {
  it('sets the container from the same repository and keeps comments and other documents', () => {
    const edit = setManifestImageText(manifest, 'reg.example.com:5000/k-le-paas-test01:bbbbbbb');
    expect(edit.changed).toBe(true);
    expect(edit.previous).toBe('reg.example.com:5000/k-le-paas-test01:aaaaaaa');
    expect(edit.text).toBe(manifest.replace(':aaaaaaa', ':bbbbbbb'));
    expect(readManifestImage(edit.text, 'reg.example.com:5000/k-le-paas-test01')).toBe(
      'reg.example.com:5000/k-le-paas-test01:bbbbbbb',
    );
  });

  it('reports no change when the manifest already points there', () => {
    const edit = setManifestImageText(manifest, 'reg.example.com:5000/k-le-paas-test01:aaaaaaa');
    expect(edit).toEqual({
      text: manifest,
      changed: false,
      previous: 'reg.example.com:5000/k-le-paas-test01:aaaaaaa',
    });
  });

  it('falls back to the first container when no repository matches', () => {
    const edit = setManifestImageText(manifest, 'other/image:ccccccc');
    expect(edit.previous).toBe('docker.io/library/nginx:1.27');
    expect(readManifestImage(edit.text)).toBe('other/image:ccccccc');
  });

  it('refuses a manifest without containers', () => {
    expect(() => setManifestImageText('kind: Service\nspec: {}\n', 'a:b')).toThrow(/no container/);
    expect(readManifestImage('kind: Service\n')).toBeNull();
  });
});
