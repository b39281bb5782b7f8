import { argv, exit, stderr } from 'node:process';
import type { CliCommand } from './command.ts';

// Each subcommand lives in its own module and is loaded only when asked for, so `parse` stays fast.
const commands: Record<string, () => Promise<{ default: CliCommand }>> = {
  db: () => import('./commands/db.ts'),
  candidates: () => import('./commands/candidates.ts'),
  deploy: () => import('./commands/deploy.ts'),
  diagnose: () => import('./commands/diagnose.ts'),
  history: () => import('./commands/history.ts'),
  integration: () => import('./commands/integration.ts'),
  rollback: () => import('./commands/rollback.ts'),
  status: () => import('./commands/status.ts'),
  parse: () => import('./commands/parse.ts'),
  console: () => import('./commands/console.ts'),
  serve: () => import('./commands/serve.ts'),
};

const usage = `klepaas-bot <command> [options]

Commands:
${Object.keys(commands)
  .map((c) => `  ${c}`)
  .join('\n')}
`;

async function main(): Promise<number> {
  const [name, ...rest] = argv.slice(2);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    stderr.write(usage);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    stderr.write(`Unknown command "${name}".\n\n${usage}`);
    return 2;
  }
  const command = (await load()).default;
  return command.run(rest);
}

main().then(
  (code) => exit(code),
  (err: unknown) => {
    stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    exit(1);
  },
);
