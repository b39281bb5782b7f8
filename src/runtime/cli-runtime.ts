import { userInfo } from 'node:os';
import { stderr, stdout } from 'node:process';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { renderError, toJson } from '../cli/render.ts';
import { type Config, loadConfig } from '../config/load.ts';
import type { Requester } from '../domain/deployment.ts';
import { KlepaasError } from '../domain/errors.ts';
import type { Lang } from '../domain/intent.ts';
import { parseRepoRef, type RepoRef } from '../domain/repo-ref.ts';
import type { AuditStore } from '../services/ports.ts';
import { invalidInput } from '../services/rules/messages.ts';
import { createServices, type Services } from './services.ts';

/** What a CLI command works with: services over the configured database and NCP (or the simulator). */
export interface CliRuntime {
  readonly config: Config;
  readonly services: Services;
  readonly requester: Requester;
  readonly lang: Lang;
  /** True when the simulator was started inside this process and stops when the command exits. */
  readonly inProcessSimulator: boolean;
}

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
): Promise<number> {
  const lang: Lang = flags.lang === 'ko' ? 'ko' : 'en';
  const io: CliIo = {
    json: flags.json,
    out: (text) => stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    note: (text) => stderr.write(`${text}\n`),
  };
  let close: (() => Promise<void>) | null = null;
  let audit: AuditStore | null = null;
  // The words as typed (ids and flags, never secrets: no command takes one), for the audit log.
  const text = `klepaas-bot ${process.argv.slice(2).join(' ')}`;
  try {
    const config = loadConfig(process.env);
    const opened = await openCliDeps(config, io);
    close = opened.close;
    audit = opened.audit;
    const rt: CliRuntime = {
      config,
      lang,
      services: opened.services,
      requester: { via: 'cli', user: localUser(), lang },
      inProcessSimulator: opened.inProcessSimulator,
    };
    const code = await body(rt, io);
    audit.record({ actor: rt.requester.user, via: 'cli', text, intent: null, outcome: `exit ${code}` });
    return code;
  } catch (err) {
    const r = renderError(err, lang);
    const errorCode = err instanceof KlepaasError ? err.code : 'INTERNAL';
    try {
      audit?.record({ actor: localUser(), via: 'cli', text, intent: null, outcome: 'refused', errorCode });
    } catch {
      // The refusal matters more than its audit line; the store's own error is already logged.
    }
    stderr.write(`${r.text}\n`);
    if (flags.json) io.out(toJson(r.json));
    return 1;
  } finally {
    await close?.();
  }
}

function localUser(): string {
  try {
    return process.env.USER ?? userInfo().username;
  } catch {
    return 'cli';
  }
}

async function openCliDeps(
  config: Config,
  io: CliIo,
): Promise<{
  services: Services;
  audit: AuditStore;
  inProcessSimulator: boolean;
  close: () => Promise<void>;
}> {
  // Loaded only when a command really runs, so `--help` and usage mistakes answer at once.
  const { openNcp, openStores } = await import('./compose.ts');
  const stores = openStores(config);
  try {
    const ncp = await openNcp(config, stores.stores, stores.logger);
    if (ncp.simulatorNotice) io.note(ncp.simulatorNotice);
    const services = createServices({
      integrations: stores.stores.integrations,
      deployments: stores.stores.deployments,
      audit: stores.stores.audit,
      ncp: ncp.port,
      clock: stores.clock,
      // The CLI only starts work; the bot's poller follows in-flight records (it picks them up at start).
      tracker: { track: async () => {} },
      logger: stores.logger,
      manifestPath: config.manifestPath,
    });
    return {
      services,
      audit: stores.stores.audit,
      inProcessSimulator: ncp.simulatorNotice !== null,
      close: async () => {
        await ncp.close();
        stores.close();
      },
    };
  } catch (err) {
    stores.close();
    throw err;
  }
}

/** Where a started deployment goes next, and the catch when the simulator lives only in this process. */
export function startedNote(rt: CliRuntime, what: 'Rollback' | 'Deploy', id: number, slug: string): string {
  const lines = [`${what} #${id} started. Check it with: klepaas-bot status ${slug}`];
  if (rt.inProcessSimulator) {
    lines.push(
      'The simulator ran inside this command and stops with it, so this record cannot finish here; for runs that complete, start `node src/ncp/simulator/main.ts` and point NCP_* at it (or use the bot, whose poller follows deployments).',
    );
  }
  return lines.join('\n');
}
