import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Actor, BotReply, Dispatcher } from '../bot/types.ts';
import type { PollerEvent, PollerEvents } from '../poller/events.ts';
import type { Clock } from '../services/ports.ts';
import { renderReply } from './render.ts';

export interface ConsoleChatOptions {
  readonly dispatcher: Dispatcher;
  readonly events: PollerEvents;
  /** Text of one poller notice; progress notices replace each other in place on a terminal. */
  readonly renderNotice: (event: PollerEvent) => string;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** A person at a terminal: prompt, in-place progress. Otherwise one message per line, plain lines. */
  readonly interactive: boolean;
  readonly user: string;
  readonly timeZone: string;
  readonly clock: Clock;
  readonly banner: string;
  /** The conversation key of this session (default: a new one per run). */
  readonly session?: string;
}

const YES = new Set(['y', 'yes', 'ok', '네', '예', '응', 'ㅇ', 'ㅇㅇ', '넵', '네네', '진행', 'go']);
const NO = new Set(['n', 'no', '아니', '아니오', '아니요', 'ㄴ', 'ㄴㄴ', '취소', 'cancel', 'stop']);
const QUIT = new Set(['exit', 'quit', ':q', '종료', '나가기']);
const terminalKinds = new Set<PollerEvent['kind']>([
  'succeeded',
  'failed',
  'timed_out',
  'canceled',
  'verified',
  'verification_failed',
]);

/** A success still being verified is not the end: the chat waits for the verdict (and what it starts). */
const ends = (event: PollerEvent): boolean =>
  terminalKinds.has(event.kind) &&
  !(event.kind === 'succeeded' && event.deployment.verifyStatus === 'verifying');

type Waiting =
  | { readonly kind: 'confirm'; readonly pendingId: string }
  | {
      readonly kind: 'choose';
      readonly pendingId: string;
      readonly options: BotReply & { kind: 'choose_repo' };
    };

const normalizeAnswer = (line: string) =>
  line
    .trim()
    .toLowerCase()
    .replace(/[.!~]+$/u, '');

/**
 * The terminal chat: another front end on the dispatcher. Resolves with the exit code once input ends
 * and every deployment it started has reached a final state and been reported.
 */
export function runConsoleChat(opts: ConsoleChatOptions): Promise<number> {
  const { output, interactive } = opts;
  // One conversation per session, remembered in the database like a Slack thread: follow-ups such as
  // "한 단계 더" and "원래대로" act on what this session was talking about.
  const actor: Actor = {
    via: 'console',
    user: opts.user,
    channel: null,
    threadTs: null,
    conversation: `console:${opts.session ?? randomUUID()}`,
  };
  const started = new Set<number>();
  let waiting: Waiting | null = null;
  let lastProgressOf: number | null = null;
  let inputEnded = false;

  const rl = createInterface({
    input: opts.input,
    output: interactive ? output : undefined,
    terminal: interactive,
  });
  rl.setPrompt('klepaas> ');

  const print = (text: string) => {
    lastProgressOf = null;
    if (interactive) {
      output.write('\r\x1b[K');
      output.write(`${text}\n`);
      rl.prompt(true);
    } else output.write(`${text}\n`);
  };

  const onNotice = (event: PollerEvent) => {
    const id = event.deployment.id;
    const text = opts.renderNotice(event);
    const inPlace = event.kind === 'progress' || event.kind === 'verifying';
    if (interactive && inPlace && lastProgressOf === id) {
      // Overwrite the previous progress line of this deployment instead of scrolling a new one.
      output.write('\r\x1b[K\x1b[1A\r\x1b[K');
      output.write(`${text}\n`);
      rl.prompt(true);
    } else {
      print(text);
    }
    lastProgressOf = inPlace ? id : null;
    if (ends(event)) {
      // The bot's own rollback after a failed verification is followed like the request that caused it.
      const next =
        event.kind === 'verification_failed' ? event.deployment.verification?.autoRollbackId : null;
      if (next && started.has(id)) started.add(next);
      started.delete(id);
      maybeFinish();
    }
  };
  const unsubscribe = opts.events.subscribe(onNotice);

  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const maybeFinish = () => {
    if (inputEnded && started.size === 0 && queue.length === 0 && !busy) {
      unsubscribe();
      finish(0);
    }
  };

  const show = (reply: BotReply) => {
    print(renderReply(reply, { now: opts.clock.now(), timeZone: opts.timeZone }));
    if (reply.kind === 'confirm_rollback' || reply.kind === 'confirm_deploy') {
      waiting = { kind: 'confirm', pendingId: reply.pendingId };
    } else if (reply.kind === 'choose_repo') {
      waiting = { kind: 'choose', pendingId: reply.pendingId, options: reply };
    } else {
      waiting = null;
    }
    if (reply.kind === 'started' && reply.deployment.status !== 'success') started.add(reply.deployment.id);
  };

  const handle = async (line: string): Promise<void> => {
    const text = line.trim();
    if (!text) return;
    if (!interactive) output.write(`> ${text}\n`);
    const answer = normalizeAnswer(text);
    if (QUIT.has(answer)) {
      rl.close();
      return;
    }
    const w = waiting;
    if (w?.kind === 'confirm' && (YES.has(answer) || NO.has(answer))) {
      show(await opts.dispatcher.decide(w.pendingId, YES.has(answer) ? 'go' : 'cancel', actor));
      return;
    }
    if (w?.kind === 'choose' && /^\d+$/.test(answer)) {
      const choice = w.options.options[Number(answer) - 1];
      if (choice) {
        show(await opts.dispatcher.chooseRepo(w.pendingId, choice, actor));
        return;
      }
    }
    show(await opts.dispatcher.handleMessage({ text, actor }));
  };

  // Lines are handled strictly in order, one at a time, so a typed "y" always answers the question above it.
  const queue: string[] = [];
  let busy = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const line = queue.shift() as string;
      try {
        await handle(line);
      } catch (err) {
        print(`✖ ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    busy = false;
    if (interactive && !inputEnded) rl.prompt();
    maybeFinish();
  };

  output.write(`${opts.banner}\n`);
  rl.on('line', (line) => {
    queue.push(line);
    void pump();
  });
  rl.on('close', () => {
    inputEnded = true;
    if (interactive) {
      // A person leaving should not be held hostage; the poller resumes in-flight work on the next start.
      if (started.size > 0)
        output.write(
          `\n${started.size} deployment(s) still running; they are followed again at the next start.\n`,
        );
      started.clear();
    } else if (started.size > 0) {
      output.write(
        `… waiting for ${started.size} deployment(s) to finish / 진행 중인 작업이 끝날 때까지 기다립니다\n`,
      );
    }
    maybeFinish();
  });
  if (interactive) rl.prompt();
  return done;
}
