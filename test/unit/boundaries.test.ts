import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const importRe =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string, opts: { types?: boolean } = {}): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importRe)]
    .filter((m) => opts.types !== false || !/^\s*(?:import|export)\s+type\s/.test(m[0]))
    .map((m) => (m[1] ?? m[2]) as string);
}

const files = walk(src);
const rel = (p: string) => relative(src, p).replaceAll('\\', '/');

/** Folders and files that must stay pure: only the domain vocabulary, zod, and each other within the same folder. */
const pure = [
  'domain/',
  'bot/types.ts',
  'bot/examples.ts',
  'intent/',
  'services/rules/',
  'slack/blocks/',
  'poller/step.ts',
  'ncp/sign.ts',
  'ncp/status.ts',
  'verify/evaluate.ts',
  'verify/sample.ts',
  'verify/step.ts',
  'verify/thresholds.ts',
];

describe('module boundaries', () => {
  it('pure code imports only domain, zod, node:crypto and its own folder', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const r = rel(file);
      const scope = pure.find((p) => r.startsWith(p));
      if (!scope) continue;
      for (const spec of importsOf(file)) {
        if (spec === 'zod' || spec === 'node:crypto') continue;
        if (!spec.startsWith('.')) {
          offenders.push(`${r} -> ${spec}`);
          continue;
        }
        const target = rel(resolve(dirname(file), spec));
        const ok =
          target.startsWith('domain/') ||
          (scope.endsWith('/') && target.startsWith(scope)) ||
          pure.some((p) => p === target);
        if (!ok) offenders.push(`${r} -> ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('only src/llm imports the openai SDK', () => {
    const importers = files.filter((f) =>
      importsOf(f).some((s) => s === 'openai' || s.startsWith('openai/')),
    );
    expect(importers.map(rel).filter((r) => !r.startsWith('llm/'))).toEqual([]);
  });

  it('has no circular imports', () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      graph.set(
        file,
        // Type-only imports vanish at run time, so they cannot form a load-order cycle.
        importsOf(file, { types: false })
          .filter((s) => s.startsWith('.'))
          .map((s) => resolve(dirname(file), s))
          .filter((t) => existsSync(t)),
      );
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map(rel).join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
