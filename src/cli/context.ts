import type { Readable, Writable } from 'node:stream';

/** The streams a command reads and writes; the process's own in `bin`, buffers in tests. */
export interface CliStreams {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** The settings a command reads: the process environment (with `.env`) in `bin`, a plain record in tests. */
export type CliEnv = Readonly<Record<string, string | undefined>>;

/** Everything a command takes from its process, so one can run inside another (the in-process tests). */
export interface CliContext {
  readonly io: CliStreams;
  readonly env: CliEnv;
  /** The words as typed after `klepaas-bot`, for the audit log. */
  readonly argv: readonly string[];
}
