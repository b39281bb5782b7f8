import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { openDatabase } from '../../db/open.ts';
import { createLogger } from '../../log/logger.ts';
import type { CliCommand } from '../command.ts';

const usage = `klepaas-bot db migrate [--json]

  migrate   bring DATABASE_PATH up to the current schema (safe to run again)
`;

const command: CliCommand = {
  summary: 'Database maintenance: apply migrations to DATABASE_PATH',
  async run(args, ctx) {
    const { stdout, stderr } = ctx.io;
    const [sub, ...rest] = args;
    if (sub !== 'migrate') {
      stderr.write(sub ? `Unknown db command "${sub}".\n\n${usage}` : usage);
      return sub === '--help' || sub === '-h' ? 0 : 2;
    }
    const json = rest.includes('--json');
    const config = loadConfig(ctx.env);
    const logger = createLogger({ level: config.log.level, format: config.log.format, destination: stderr });
    const path = resolve(config.databasePath);
    const opened = openDatabase(config.databasePath, { logger });
    try {
      if (json) {
        stdout.write(`${JSON.stringify({ path, applied: opened.applied })}\n`);
      } else if (opened.applied.length === 0) {
        stdout.write(`${path}: already up to date, nothing to apply.\n`);
      } else {
        stdout.write(`${path}: applied ${opened.applied.length} migration(s):\n`);
        for (const tag of opened.applied) stdout.write(`  ${tag}\n`);
      }
    } finally {
      opened.close();
    }
    return 0;
  },
};

export default command;
