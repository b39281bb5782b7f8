import type { DeploymentNotice, NoticeKind, Notifier } from './port.ts';
import { type RenderOptions, renderNotice } from './render.ts';

/** The part of a stream the console notifier uses; `isTTY` decides in-place progress. */
export interface NoticeStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface ConsoleNotifierOptions extends RenderOptions {
  readonly out: NoticeStream;
  /** Overrides the stream's own `isTTY` (tests, or a chat that draws its own prompt). */
  readonly tty?: boolean;
}

export interface ConsoleNotifier extends Notifier {
  /** Ends an in-place progress line so other output starts on a fresh line. */
  settle(): void;
}

// Carriage return, then erase the whole line: the progress line is redrawn, not appended.
const REWRITE = '\r\x1b[2K';

/**
 * Writes notices as lines. On a terminal, `progress` rewrites one line in place; everything else is a
 * new line. Off a terminal (pipes, logs, tests), every change is its own plain line.
 */
export function createConsoleNotifier(opts: ConsoleNotifierOptions): ConsoleNotifier {
  const tty = opts.tty ?? opts.out.isTTY === true;
  let progressShown = false;

  const settle = (): void => {
    if (!progressShown) return;
    opts.out.write(`${REWRITE}`);
    progressShown = false;
  };

  const line = (kind: NoticeKind) => async (n: DeploymentNotice) => {
    const { text } = renderNotice(kind, n, opts);
    if ((kind === 'progress' || kind === 'verifying') && tty) {
      opts.out.write(`${REWRITE}${text}`);
      progressShown = true;
      return;
    }
    settle();
    opts.out.write(`${text}\n`);
  };

  return {
    started: line('started'),
    progress: line('progress'),
    succeeded: line('succeeded'),
    failed: line('failed'),
    timedOut: line('timedOut'),
    canceled: line('canceled'),
    verifying: line('verifying'),
    verified: line('verified'),
    verificationFailed: line('verificationFailed'),
    pinReminder: line('pinReminder'),
    settle,
  };
}
