import { readFileSync } from 'node:fs';
import { parseWithGrammar } from '../src/intent/grammar.ts';
import { goal, machine, pooled } from './stats.ts';

const AIM_P99_MS = 0.2;
const TRIALS = 5;
const ROUNDS_PER_TRIAL = 10;

interface Trial {
  readonly perSecond: number;
  readonly latencies: number[];
}

function trial(texts: readonly string[]): Trial {
  const latencies: number[] = [];
  const started = performance.now();
  for (let r = 0; r < ROUNDS_PER_TRIAL; r++) {
    for (const t of texts) {
      const t0 = performance.now();
      parseWithGrammar(t);
      latencies.push(performance.now() - t0);
    }
  }
  const elapsedMs = performance.now() - started;
  return { perSecond: Math.round((latencies.length / elapsedMs) * 1000), latencies };
}

const us = (ms: number): string => `${(ms * 1000).toFixed(1).padStart(7)} µs`;

/**
 * Grammar throughput and per-message latency over fixtures/intents.jsonl on one core, pooled over all
 * trials: a preemption a user would meet counts as much as any other sample.
 */
export default async function bench(): Promise<void> {
  const texts = readFileSync(new URL('../fixtures/intents.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);

  for (let i = 0; i < 30; i++) for (const t of texts) parseWithGrammar(t);

  const trials: Trial[] = [];
  for (let i = 0; i < TRIALS; i++) trials.push(trial(texts));
  const all = pooled(trials.map((t) => t.latencies));
  const rate = Math.min(...trials.map((t) => t.perSecond));
  console.log(
    `grammar parse, ${texts.length} fixtures x ${ROUNDS_PER_TRIAL} rounds x ${TRIALS} trials (${all.n} parses): ` +
      `slowest trial ${rate} msg/s, pooled p50 ${us(all.p50)}, p99 ${us(all.p99)}, max ${us(all.max)}  [${machine()}]`,
  );
  console.log(goal('grammar parse p99', all.p99, AIM_P99_MS, 'ms', 4));
}
