import { type LaunchMode, launch } from '../../launch.ts';
import type { CliCommand } from '../command.ts';

/** `klepaas-bot console` and `klepaas-bot serve`: the chat front ends, from the installed command. */
export const runCommand = (mode: LaunchMode, summary: string): CliCommand => ({
  summary,
  run: () => launch(mode),
});
