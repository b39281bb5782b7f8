import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { type Intent, type IntentKind, intentKinds, intentSchema } from '../../domain/intent.ts';
import { createIntentParser, type IntentParser } from '../../intent/parse.ts';
import { createIntentLlm } from '../../llm/intent-llm.ts';
import { createLogger } from '../../log/logger.ts';
import type { CliCommand } from '../command.ts';
import type { CliStreams } from '../context.ts';

const usage = `usage: klepaas-bot parse [--no-llm] [--hint <intent>] "message"
       klepaas-bot parse [--no-llm] [--hint <intent>] --stdin   (one message per line)

Prints the intent as one JSON line per message. Uses the model when OPENAI_API_KEY is set, unless --no-llm.
`;

/**
 * How many messages of a `--stdin` batch may wait on the model at once. Answers are printed in input
 * order regardless; the window only hides model latency behind the next messages.
 */
const WINDOW = 8;

const intentKeys = Object.keys(intentSchema.shape) as (keyof Intent)[];

/** The canonical line: exactly the schema's keys, in the schema's order. */
export function canonicalJson(intent: Intent): string {
  return JSON.stringify(Object.fromEntries(intentKeys.map((k) => [k, intent[k]])));
}

async function writeLine(io: CliStreams, line: string): Promise<void> {
  if (!io.stdout.write(`${line}\n`)) await once(io.stdout, 'drain');
}

async function parseStdin(
  io: CliStreams,
  parser: IntentParser,
  opts: { noLlm: boolean; hint?: IntentKind },
): Promise<void> {
  // crlfDelay: a `\r\n` pair is one line break, so Windows-edited files do not yield empty messages.
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  const pending: Promise<Intent>[] = [];
  for await (const line of lines) {
    pending.push(parser.parse(line, opts));
    if (pending.length >= WINDOW)
      await writeLine(io, canonicalJson(await (pending.shift() as Promise<Intent>)));
  }
  for (const p of pending) await writeLine(io, canonicalJson(await p));
}

function bad(io: CliStreams, message: string): number {
  io.stderr.write(`${message}\n${usage}`);
  return 2;
}

const command: CliCommand = {
  summary: 'Parse chat messages into intents (JSON lines)',
  async run(args, ctx) {
    const { stderr } = ctx.io;
    let values: { 'no-llm'?: boolean; stdin?: boolean; hint?: string; help?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        strict: true,
        options: {
          'no-llm': { type: 'boolean' },
          stdin: { type: 'boolean' },
          hint: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (err) {
      return bad(ctx.io, err instanceof Error ? err.message : String(err));
    }
    if (values.help) {
      stderr.write(usage);
      return 0;
    }
    const hint = values.hint;
    if (hint !== undefined && !(intentKinds as readonly string[]).includes(hint)) {
      return bad(ctx.io, `--hint must be one of ${intentKinds.join(', ')}`);
    }
    if (values.stdin && positionals.length > 0)
      return bad(ctx.io, 'give either a message or --stdin, not both');
    if (!values.stdin && positionals.length === 0) return bad(ctx.io, 'missing the message to parse');

    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(ctx.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) stderr.write(`${p}\n`);
      return 1;
    }
    // stdout carries only intents; every log line goes to stderr.
    const logger = createLogger({ level: config.log.level, format: config.log.format, destination: stderr });
    const noLlm = values['no-llm'] === true;
    const llm = config.llm && !noLlm ? createIntentLlm(config.llm, logger) : null;
    const parser = createIntentParser({ llm, logger });
    const opts = { noLlm, ...(hint === undefined ? {} : { hint: hint as IntentKind }) };

    if (values.stdin) await parseStdin(ctx.io, parser, opts);
    else await writeLine(ctx.io, canonicalJson(await parser.parse(positionals.join(' '), opts)));
    return 0;
  },
};

export default command;
