import { readFileSync } from 'node:fs';
import { parseWithGrammar } from '../src/intent/grammar.ts';

const AIM_P99_MS = 0.2;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Grammar throughput and per-message latency over fixtures/intents.jsonl, on one core. */
export default async function bench(): Promise<void> {
  const texts = readFileSync(new URL('../fixtures/intents.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);

  for (let i = 0; i < 20; i++) for (const t of texts) parseWithGrammar(t);

  const rounds = 20;
  const latencies: number[] = [];
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const t0 = performance.now();
      parseWithGrammar(t);
      latencies.push(performance.now() - t0);
    }
  }
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const perSecond = Math.round((latencies.length / elapsedMs) * 1000);

  console.log(`messages            ${texts.length} fixtures x ${rounds} rounds = ${latencies.length} parses`);
  console.log(`throughput          ${perSecond.toLocaleString('en-US')} messages/s`);
  console.log(`latency p50         ${(p50 * 1000).toFixed(1)} µs`);
  console.log(
    `latency p99         ${(p99 * 1000).toFixed(1)} µs   aim: p99 < ${AIM_P99_MS} ms  ${p99 < AIM_P99_MS ? 'ok' : 'MISSED'}`,
  );
  console.log(`latency max         ${((latencies.at(-1) ?? 0) * 1000).toFixed(1)} µs`);
}
