import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './context.ts';
import { type RenderContext, toJson } from './render.ts';
import { type CliIo, type CliPoll, type CliRuntime, commonOptions, parseCli, runCli } from './runtime.ts';

/** One `klepaas-bot <name>` subcommand. `run` returns the process exit code. */
export interface CliCommand {
  readonly summary: string;
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = NonNullable<ReturnType<typeof parseCli<typeof commonOptions & T>>>;
export type CliValues<T extends Options> = Parsed<T>['values'];
type CommonValues = NonNullable<ReturnType<typeof parseCli<typeof commonOptions>>>['values'];

export interface RuntimeCommand<T extends Options> {
  readonly summary: string;
  /** Printed on --help (exit 0) and on a flag mistake (exit 2). */
  readonly usage: string;
  /** Flags beyond --json, --lang and --help. */
  readonly options: T;
  /** How the runtime polls; by default it does not (see CliPoll). */
  readonly poll?: (values: CliValues<T>) => CliPoll;
  body(rt: CliRuntime, io: CliIo, values: CliValues<T>, positionals: readonly string[]): Promise<number>;
}

/**
 * The shape every command on the bot's runtime shares: parse the flags, answer --help or a mistake
 * with the usage, then run the body on the runtime (refusals become exit code 1, see runCli).
 */
export function runtimeCommand<T extends Options>(spec: RuntimeCommand<T>): CliCommand {
  return {
    summary: spec.summary,
    async run(args, ctx) {
      const parsed = parseCli(args, { ...commonOptions, ...spec.options }, ctx.io.stderr);
      // parseArgs cannot resolve the flag types of an open T here; the common flags are always present.
      const common = parsed?.values as CommonValues | undefined;
      if (!parsed || !common || common.help) {
        ctx.io.stderr.write(spec.usage);
        return parsed ? 0 : 2;
      }
      const { values, positionals } = parsed;
      return runCli(ctx, common, (rt, io) => spec.body(rt, io, values, positionals), spec.poll?.(values));
    },
  };
}

/** The value itself with --json, else its text view (built only when printed). */
export function show(io: CliIo, value: unknown, text: () => string): void {
  io.out(io.json ? toJson(value) : text());
}

export const renderContextOf = (rt: CliRuntime): RenderContext => ({
  timeZone: rt.config.timeZone,
  lang: rt.lang,
});
