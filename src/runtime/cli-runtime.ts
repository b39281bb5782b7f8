import { userInfo } from 'node:os';
import { stderr, stdout } from 'node:process';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { renderError, toJson } from '../cli/render.ts';
import { type Config, ConfigError, loadConfig } from '../config/load.ts';
import type { Requester } from '../domain/deployment.ts';
import { KlepaasError } from '../domain/errors.ts';
import type { Lang } from '../domain/intent.ts';
import { parseRepoRef, type RepoRef } from '../domain/repo-ref.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { invalidInput } from '../services/rules/messages.ts';
import type { Runtime, RuntimePoll } from './app.ts';
import type { Services } from './services.ts';

/** What a CLI command works with: the bot's runtime over the configured database and NCP (or the simulator). */
export interface CliRuntime {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly services: Services;
  readonly requester: Requester;
  readonly lang: Lang;
  /** True when the simulator was started inside this process and stops when the command exits. */
  readonly inProcessSimulator: boolean;
}

/** How the command's runtime polls (see RuntimeOptions.poll); decided from the configuration. */
export type CliPoll = (config: Config) => RuntimePoll;

export interface CliIo {
  readonly json: boolean;
  out(text: string): void;
  /** Notes for people (simulator in use, next steps); never mixed into stdout. */
  note(text: string): void;
}

export const commonOptions = {
  json: { type: 'boolean', default: false },
  lang: { type: 'string', default: 'en' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export function parseRepoArg(text: string | undefined): RepoRef {
  const ref = text ? parseRepoRef(text) : null;
  if (!ref) {
    throw invalidInput(
      `Expected <owner/repo>, e.g. K-Le-PaaS/test01${text ? ` (got ${text})` : ''}.`,
      `<owner/repo> 형식이어야 합니다. 예: K-Le-PaaS/test01${text ? ` (입력: ${text})` : ''}`,
    );
  }
  return ref;
}

/** A parseArgs call whose mistakes become a usage message and exit code 2. */
export function parseCli<T extends ParseArgsConfig['options']>(
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> | null {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return null;
  }
}

/**
 * Runs one command body: opens the runtime, prints a refusal as `CODE: message` on stderr (and as JSON on
 * stdout with --json), and turns it into exit code 1. The runtime is closed whatever happens.
 */
export async function runCli(
  flags: { readonly json: boolean; readonly lang: string },
  body: (rt: CliRuntime, io: CliIo) => Promise<number>,
  poll: CliPoll = () => 'none',
): Promise<number> {
  const lang: Lang = flags.lang === 'ko' ? 'ko' : 'en';
  const io: CliIo = {
    json: flags.json,
    out: (text) => stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    note: (text) => stderr.write(`${text}\n`),
  };
  let runtime: Runtime | null = null;
  // The words as typed (ids and flags, never secrets: no command takes one), for the audit log.
  const text = `klepaas-bot ${process.argv.slice(2).join(' ')}`;
  try {
    const config = cliConfig(loadConfig(process.env));
    // Loaded only when a command really runs, so `--help` and usage mistakes answer at once.
    const { startRuntime } = await import('./app.ts');
    runtime = await startRuntime(config, { logger: cliLogger(config), poll: poll(config) });
    if (runtime.simulatorNotice) io.note(runtime.simulatorNotice);
    const rt: CliRuntime = {
      config,
      lang,
      runtime,
      services: runtime.services,
      requester: { via: 'cli', user: localUser(), lang },
      inProcessSimulator: runtime.simulatorNotice !== null,
    };
    const code = await body(rt, io);
    runtime.stores.audit.record({
      actor: rt.requester.user,
      via: 'cli',
      text,
      intent: null,
      outcome: `exit ${code}`,
    });
    return code;
  } catch (err) {
    if (err instanceof ConfigError) {
      // A setting to fix, not a fault of ours: the variable and what to set, never `INTERNAL:`.
      stderr.write(`klepaas-bot cannot run: ${err.problems.join('\n  ')}\n`);
      if (flags.json) {
        io.out(
          toJson({
            error: { code: 'CONFIG_INVALID', status: 400, message: err.problems.join('\n'), hint: null },
          }),
        );
      }
      return 1;
    }
    const r = renderError(err, lang);
    const errorCode = err instanceof KlepaasError ? err.code : 'INTERNAL';
    try {
      runtime?.stores.audit.record({
        actor: localUser(),
        via: 'cli',
        text,
        intent: null,
        outcome: 'refused',
        errorCode,
      });
    } catch {
      // The refusal matters more than its audit line; the store's own error is already logged.
    }
    stderr.write(`${r.text}\n`);
    if (flags.json) io.out(toJson(r.json));
    return 1;
  } finally {
    await runtime?.close();
  }
}

/**
 * The simulator lives in this command, so the work it runs is polled here too: its deployments are never
 * handed to a shared BullMQ queue whose workers talk to another NCP.
 */
function cliConfig(config: Config): Config {
  return config.ncp === null && config.redisUrl ? { ...config, redisUrl: undefined } : config;
}

/** Logs go to stderr at `warn` unless LOG_LEVEL asks for more, so a command's stdout stays its answer. */
function cliLogger(config: Config): Logger {
  return createLogger({
    level: process.env.LOG_LEVEL ? config.log.level : 'warn',
    format: config.log.format,
    destination: stderr,
  });
}

function localUser(): string {
  try {
    return process.env.USER ?? userInfo().username;
  } catch {
    return 'cli';
  }
}
