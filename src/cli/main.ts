import { realpathSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { readDotEnv } from '../config/load.ts';
import type { CliCommand } from './command.ts';
import type { CliEnv, CliStreams } from './context.ts';

type Load = () => Promise<{ default: CliCommand }>;

// Each subcommand lives in its own module and is loaded only when asked for, so `parse` stays fast; the
// summaries are repeated here so `--help` loads none of them (a test keeps both spellings equal).
const commands: Record<string, { readonly summary: string; readonly load: Load }> = {
  rollback: {
    summary: 'Roll back to the previous, N-back or a given deployed commit',
    load: () => import('./commands/rollback.ts'),
  },
  deploy: { summary: 'Build and deploy a branch, tag or commit', load: () => import('./commands/deploy.ts') },
  cancel: {
    summary: 'Cancel the deploy or rollback in progress on NCP, or release a record NCP never started',
    load: () => import('./commands/cancel.ts'),
  },
  status: {
    summary: 'Show the deployment in progress, or the latest one',
    load: () => import('./commands/status.ts'),
  },
  unpin: { summary: 'End the pin a rollback put on a repo', load: () => import('./commands/unpin.ts') },
  history: { summary: 'Show the deployment history of a repo', load: () => import('./commands/history.ts') },
  candidates: {
    summary: 'List rollback candidates, numbered as --steps counts them',
    load: () => import('./commands/candidates.ts'),
  },
  diagnose: {
    summary: 'Check that a repo is ready to roll back (the guide diagnose JSON with --json)',
    load: () => import('./commands/diagnose.ts'),
  },
  integration: {
    summary: 'Add, update, list or remove project integrations',
    load: () => import('./commands/integration.ts'),
  },
  console: {
    summary: 'chat in the terminal (against the simulator when no NCP keys are set)',
    load: () => import('./commands/console.ts'),
  },
  serve: { summary: 'run the Slack app (needs SLACK_BOT_TOKEN)', load: () => import('./commands/serve.ts') },
  parse: {
    summary: 'Parse chat messages into intents (JSON lines)',
    load: () => import('./commands/parse.ts'),
  },
  db: {
    summary: 'Database maintenance: apply migrations to DATABASE_PATH',
    load: () => import('./commands/db.ts'),
  },
};

const width = Math.max(...Object.keys(commands).map((c) => c.length));
const usage = `klepaas-bot <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run \`klepaas-bot <command> --help\` for a command's options.
`;

/**
 * One `klepaas-bot` invocation: `argv` is what follows the program name. Reads only `io` and `env`, so
 * tests run commands inside their own process. Returns the exit code.
 */
export async function run(argv: readonly string[], io: CliStreams, env: CliEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stderr.write(usage);
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    io.stderr.write(`Unknown command "${name}".\n\n${usage}`);
    return 2;
  }
  try {
    const command = (await entry.load()).default;
    return await command.run(rest, { io, env, argv });
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** `klepaas-bot` as a program (bin, `npm run cli`): every command reads `.env` too, real variables winning. */
export async function runProgram(): Promise<never> {
  process.exit(await run(process.argv.slice(2), process, { ...readDotEnv(), ...process.env }));
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await runProgram();
