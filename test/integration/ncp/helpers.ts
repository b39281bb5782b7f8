import { NcpClient, type NcpClientOptions } from '../../../src/ncp/client.ts';
import {
  type NcpSimulator,
  type NcpSimulatorOptions,
  startNcpSimulator,
} from '../../../src/ncp/simulator/index.ts';

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

/** Polls `read` until `done` holds or the deadline passes; returns the last value. */
export async function waitFor<T>(
  read: () => Promise<T> | T,
  done: (v: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
