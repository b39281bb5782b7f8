import { NcpClient, type NcpClientOptions } from '../../../src/ncp/client.ts';
import {
  type NcpSimulator,
  type NcpSimulatorOptions,
  startNcpSimulator,
} from '../../../src/ncp/simulator/index.ts';
import { waitFor as waitForCondition } from '../../support/wait-for.ts';

export interface Rig {
  sim: NcpSimulator;
  client: NcpClient;
  stop(): Promise<void>;
}

/** A simulator and a client against it; retries sleep 0 ms so tests measure behaviour, not waiting. */
export async function startRig(
  simOpts: NcpSimulatorOptions = {},
  clientOpts: Partial<NcpClientOptions> = {},
): Promise<Rig> {
  const sim = await startNcpSimulator({ phaseMs: 50, ...simOpts });
  const client = new NcpClient({ ...sim.clientOptions(5_000), sleep: async () => {}, ...clientOpts });
  return {
    sim,
    client,
    stop: async () => {
      await client.close();
      await sim.stop();
    },
  };
}

/** Reads until `done` holds for what was read (the shared waitFor, for a value that may be falsy). */
export async function waitFor<T>(
  read: () => Promise<T> | T,
  done: (v: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const hit = await waitForCondition(
    'an NCP run to reach the awaited state',
    async () => {
      const v = await read();
      return done(v) ? { v } : null;
    },
    timeoutMs,
  );
  return hit.v;
}
