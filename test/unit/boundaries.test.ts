import { readdirSync, readFileSync, statSync } from 'node:fs';
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

// Type-only imports count too: a folder that names another's types depends on it as much as one that
// calls it, and a type cycle is still a tangle to read.
const importRe =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(importRe)].map((m) => (m[1] ?? m[2]) as string);

const files = walk(src);
const rel = (p: string) => relative(src, p).replaceAll('\\', '/');
/** `slack/blocks/kit.ts` -> `slack`; files directly in src/ (main.ts, launch.ts) are the root, `.`. */
const folderOf = (r: string) => (r.includes('/') ? (r.split('/')[0] as string) : '.');
/** `@slack/bolt` -> `@slack/bolt`, `drizzle-orm/sqlite-core` -> `drizzle-orm`. */
const packageOf = (spec: string) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly spec: string;
}
const edges: Edge[] = files.flatMap((file) =>
  importsOf(file).map((spec) => ({
    from: rel(file),
    to: spec.startsWith('.') ? rel(resolve(dirname(file), spec)) : spec,
    spec,
  })),
);
const local = (e: Edge) => e.spec.startsWith('.');

/**
 * Which folders each folder may import besides itself; the root files (main.ts, launch.ts) choose the
 * drivers and may import any. Read top-down: domain and log at the bottom, then the use cases and their
 * ports (services), the drivers that implement those ports, the front ends, and the composition (runtime).
 */
const mayImport: Record<string, readonly string[]> = {
  domain: [],
  log: [],
  config: ['domain'],
  intent: ['domain'],
  services: ['domain', 'log'],
  db: ['domain', 'log', 'services'],
  ncp: ['domain', 'log', 'config', 'services'],
  llm: ['domain', 'log', 'config', 'intent'],
  poller: ['domain', 'log', 'config', 'services', 'ncp', 'verify'],
  notify: ['domain', 'log', 'services', 'poller'],
  // Post-deploy checks: pure judgement plus an HTTP probe of the app, run by the poller.
  verify: ['domain'],
  bot: ['domain', 'log', 'services'],
  // Operator endpoints: readiness and the Prometheus registry fed by the poller's events.
  ops: ['domain', 'poller'],
  runtime: [
    'domain',
    'log',
    'config',
    'db',
    'ncp',
    'llm',
    'intent',
    'poller',
    'notify',
    'services',
    'bot',
    'ops',
    'verify',
  ],
  console: ['domain', 'bot', 'poller', 'services'],
  slack: ['domain', 'log', 'config', 'bot', 'services', 'notify', 'runtime', 'ops'],
  // `.`: launch.ts, which `klepaas-bot console` and `serve` hand over to.
  cli: ['domain', 'log', 'config', 'db', 'intent', 'llm', 'notify', 'poller', 'services', 'runtime', '.'],
};

/** The one folder that may import each SDK (the package or any of its subpaths). */
const sdkOwners: Record<string, readonly string[]> = {
  bullmq: ['poller'],
  ioredis: ['poller'],
  'better-sqlite3': ['db'],
  'drizzle-orm': ['db'],
  undici: ['ncp', 'verify'],
  '@slack/bolt': ['slack'],
  '@slack/web-api': ['slack'],
  '@slack/socket-mode': ['slack'],
  openai: ['llm'],
  'isomorphic-git': ['ncp'],
  'parse-prometheus-text-format': ['verify'],
  'prom-client': ['ops'],
};

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
  'verify/evaluate.ts',
  'verify/sample.ts',
  'verify/step.ts',
  'verify/thresholds.ts',
];

describe('module boundaries', () => {
  it('pure code imports only domain, zod, node:crypto and its own folder', () => {
    const offenders: string[] = [];
    for (const e of edges) {
      const scope = pure.find((p) => e.from.startsWith(p));
      if (!scope || e.spec === 'zod' || e.spec === 'node:crypto') continue;
      const ok =
        local(e) &&
        (e.to.startsWith('domain/') ||
          (scope.endsWith('/') && e.to.startsWith(scope)) ||
          pure.some((p) => p === e.to));
      if (!ok) offenders.push(`${e.from} -> ${e.to}`);
    }
    expect(offenders).toEqual([]);
  });

  it('every folder is in the table, and imports only the folders the table allows', () => {
    const folders = new Set(files.map((f) => folderOf(rel(f))).filter((f) => f !== '.'));
    expect([...folders].filter((f) => !(f in mayImport))).toEqual([]);
    const offenders = edges
      .filter(local)
      .filter((e) => {
        const from = folderOf(e.from);
        const to = folderOf(e.to);
        return from !== '.' && to !== from && !(mayImport[from] ?? []).includes(to);
      })
      .map((e) => `${e.from} -> ${e.to}`);
    expect(offenders).toEqual([]);
  });

  it('each SDK is imported only by the folder that owns it', () => {
    const offenders = edges
      .filter((e) => !local(e))
      .filter((e) => {
        const owners = sdkOwners[packageOf(e.spec)];
        return owners !== undefined && !owners.includes(folderOf(e.from));
      })
      .map((e) => `${e.from} -> ${e.spec}`);
    expect(offenders).toEqual([]);
  });

  it('every SDK in package.json has an owner', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    // Libraries any folder may use: validation, logging, a YAML parser.
    const shared = ['zod', 'pino', 'pino-pretty', 'yaml'];
    const unowned = Object.keys(pkg.dependencies).filter((d) => !shared.includes(d) && !(d in sdkOwners));
    expect(unowned).toEqual([]);
  });

  it('no two folders import each other, directly or round a longer loop', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges.filter(local)) {
      const from = folderOf(e.from);
      const to = folderOf(e.to);
      if (from === to) continue;
      graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('has no circular imports between files', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges.filter(local)) graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to));
    expect(cyclesOf(graph)).toEqual([]);
  });
});

/** Each cycle found by a depth-first walk, as `a -> b -> a`. */
function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}
