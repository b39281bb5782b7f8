import { readdirSync } from 'node:fs';
import { argv } from 'node:process';

/**
 * Runs every `bench/*.bench.ts` (or those whose name contains an argument). Each module's default export
 * runs its measurements and prints its own lines, figure and aim side by side.
 */
const filters = argv.slice(2);
const dir = new URL('.', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

for (const file of files) {
  const mod = (await import(new URL(file, dir).href)) as { default: () => Promise<void> };
  console.log(`\n## ${file.replace('.bench.ts', '')}`);
  await mod.default();
}
