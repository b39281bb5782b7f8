/** One `klepaas-bot <name>` subcommand. `run` returns the process exit code. */
export interface CliCommand {
  readonly summary: string;
  run(args: readonly string[]): Promise<number>;
}
