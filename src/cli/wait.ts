import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/load.ts';
import { type Deployment, isTerminal } from '../domain/deployment.ts';
import { durationFrom } from '../poller/step.ts';
import { systemClock } from '../services/ports.ts';
import { invalidInput } from '../services/rules/messages.ts';
import { renderContextOf } from './command.ts';
import { createFollower } from './follow.ts';
import { renderDeployment, toJson } from './render.ts';
import type { CliIo, CliPoll, CliRuntime } from './runtime.ts';

export const waitOptions = {
  wait: { type: 'boolean', default: false },
  'no-wait': { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

export interface WaitFlags {
  readonly wait: boolean;
  readonly 'no-wait': boolean;
}

/** Flags of a command that starts a deployment: --yes to start it, and whether to follow it. */
export const startOptions = {
  yes: { type: 'boolean', short: 'y', default: false },
  ...waitOptions,
} as const satisfies ParseArgsConfig['options'];

export interface StartFlags extends WaitFlags {
  readonly yes: boolean;
}

/**
 * Pure: whether the command follows the deployment it starts. The built-in simulator stops with the
 * command, so there it always does; with real NCP only on --wait (the bot's poller follows it otherwise).
 */
export function shouldWait(flags: WaitFlags, config: Pick<Config, 'ncp'>): boolean {
  return flags.wait || (config.ncp === null && !flags['no-wait']);
}

/**
 * How the runtime polls for a command that may start work: never the bot's other deployments. Waiting
 * with the in-process driver, this process polls its own; with BullMQ the bot's workers do (a worker here
 * would take any job of the queue, and the notices of those jobs would end with this command).
 */
export const pollFor =
  (flags: WaitFlags): CliPoll =>
  (config) =>
    shouldWait(flags, config) && !config.redisUrl ? 'own' : 'none';

/** Refuses flag combinations that cannot be honoured, before anything starts. */
export function checkWaitFlags(flags: WaitFlags, rt: Pick<CliRuntime, 'inProcessSimulator'>): void {
  if (flags.wait && flags['no-wait']) {
    throw invalidInput(
      'Give either --wait or --no-wait, not both.',
      '--wait와 --no-wait 중 하나만 지정하세요.',
    );
  }
  if (flags['no-wait'] && rt.inProcessSimulator) {
    throw invalidInput(
      '--no-wait is not available with the built-in NCP simulator: it runs inside this command and stops with it, so the deployment could never finish. Leave out --no-wait, or set NCP_ACCESS_KEY/NCP_SECRET_KEY to use NCP.',
      '내장 NCP 시뮬레이터에서는 --no-wait를 쓸 수 없습니다: 시뮬레이터가 이 명령 안에서 돌고 함께 끝나므로 배포가 끝날 수 없습니다. --no-wait를 빼거나 NCP_ACCESS_KEY/NCP_SECRET_KEY를 설정하세요.',
    );
  }
}

export interface StartedWork {
  readonly label: 'Rollback' | 'Deploy';
  readonly slug: string;
  readonly plan: unknown;
  readonly planText: string;
  readonly start: () => Promise<Deployment>;
}

/**
 * Without --yes prints the plan and exits 1. Otherwise starts the work, then either prints the new record
 * (the bot's poller follows it) or follows it here to its final state: notices on stderr as they happen,
 * the final record on stdout, exit 0 only on success.
 */
export async function runStarted(
  rt: CliRuntime,
  io: CliIo,
  flags: StartFlags,
  work: StartedWork,
): Promise<number> {
  if (!flags.yes) {
    io.out(io.json ? toJson({ plan: work.plan, started: false }) : work.planText);
    io.note(`Nothing done. Run again with --yes to start this ${work.label.toLowerCase()}.`);
    return 1;
  }
  const ctx = renderContextOf(rt);
  const wait = shouldWait(flags, rt.config);
  // Listening before the start, so the poller's first notice is not missed.
  const follower = wait ? createFollower(rt.runtime.events) : null;
  try {
    const d = await work.start();
    const check = `klepaas-bot status ${work.slug}`;
    if (!follower) {
      io.out(
        io.json
          ? toJson({ plan: work.plan, started: true, deployment: d })
          : `${work.planText}\n\nStarted.\n${renderDeployment(d, ctx)}`,
      );
      io.note(
        rt.config.redisUrl
          ? `${work.label} #${d.id} started; the bot's poller follows it (queued on REDIS_URL). Check it with: ${check}`
          : `${work.label} #${d.id} started. Without REDIS_URL the bot's poller picks it up when the bot next starts; add --wait to follow it from here. Check it with: ${check}`,
      );
      return 0;
    }
    io.note(
      rt.inProcessSimulator
        ? `${work.label} #${d.id} started. The simulator runs inside this command, so it waits for the deployment to finish.`
        : `${work.label} #${d.id} started; following it to the end (Ctrl-C stops watching, not the deployment).`,
    );
    const keep = rt.inProcessSimulator ? failOnInterrupt(rt, io, d.id) : () => {};
    const { intervalMs, buildTimeoutMs, deployTimeoutMs, approvalTimeoutMs } = rt.config.poll;
    const result = await follower.until({
      id: d.id,
      read: (id) => rt.runtime.stores.deployments.get(id),
      print: io.note,
      source: rt.config.redisUrl ? 'records' : 'events',
      intervalMs,
      // The poller times each phase out itself; this only guards against nobody polling at all.
      // A deploy may also wait for an approver first (its own limit) before its deploy limit runs.
      deadlineMs: buildTimeoutMs + approvalTimeoutMs + deployTimeoutMs + 5 * intervalMs,
      clock: systemClock,
    });
    keep();
    const final = result.deployment;
    io.out(
      io.json
        ? toJson({ plan: work.plan, started: true, deployment: final })
        : `${work.planText}\n\n${renderDeployment(final, ctx)}`,
    );
    if (!result.finished) {
      io.note(
        `${work.label} #${d.id} is still ${final.status} after the poll limits passed. Check it with: ${check}`,
      );
    }
    return final.status === 'success' ? 0 : 1;
  } finally {
    follower?.stop();
  }
}

const signalCodes = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * The simulator stops with this command, so an interrupted wait would leave a record in flight that
 * nothing can finish, blocking the repo: it is written failed, with the reason, before exiting.
 * Returns the function that removes the handlers.
 */
function failOnInterrupt(rt: CliRuntime, io: CliIo, id: number): () => void {
  const onSignal = (signal: keyof typeof signalCodes): void => {
    const store = rt.runtime.stores.deployments;
    const d = store.get(id);
    if (d && !isTerminal(d.status)) {
      const now = systemClock.now();
      store.update(id, {
        status: 'failed',
        errorStage: d.status === 'building' ? 'build' : 'deploy',
        errorMessage: `Interrupted (${signal}) while the built-in NCP simulator ran it; the simulator stopped with the command.`,
        completedAt: now,
        durationMs: durationFrom(d, now),
      });
      io.note(`#${id} marked failed: interrupted, and the simulator running it stopped with this command.`);
    }
    process.exit(signalCodes[signal]);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  return () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
}
