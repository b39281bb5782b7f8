import type { Config } from '../config/load.ts';
import type { SqliteDatabase } from '../db/open.ts';
import type { Stores } from '../db/stores.ts';
import type { Logger } from '../log/logger.ts';
import { NcpClient, type NcpClientOptions } from '../ncp/client.ts';
import type { NcpPort } from '../services/ports.ts';
import { startSeededSimulator } from './seed-demo.ts';

export interface OpenedNcp {
  readonly port: NcpPort;
  /** Set when the simulator stands in for NCP: what to tell the operator on stderr. */
  readonly simulatorNotice: string | null;
  close(): Promise<void>;
}

/**
 * The real NCP client when credentials are set; otherwise the simulator, started in this process and
 * seeded with the demo project (and the database seeded to match).
 */
export async function openNcp(
  config: Config,
  database: { readonly stores: Stores; readonly sqlite: SqliteDatabase; readonly path: string },
  logger: Logger,
  observe: Pick<NcpClientOptions, 'onRequest'> = {},
): Promise<OpenedNcp> {
  if (config.ncp) {
    const client = new NcpClient({
      mode: 'ncp',
      sourceBuildUrl: config.ncp.sourceBuildUrl,
      sourceDeployUrl: config.ncp.sourceDeployUrl,
      sourceCommitGitUrl: config.ncp.sourceCommitGitUrl,
      accessKey: config.ncp.accessKey,
      secretKey: config.ncp.secretKey,
      gitUsername: config.ncp.gitUsername,
      gitPassword: config.ncp.gitPassword,
      timeoutMs: config.ncpTimeoutMs,
      connections: config.ncpConnections,
      registryScheme: config.ncp.ncrInsecureHttp ? 'http' : 'https',
      logger,
      ...observe,
    });
    return { port: client, simulatorNotice: null, close: () => client.close() };
  }
  const { sim, demo } = await startSeededSimulator(config, database);
  try {
    if (config.demoVerifyWindowMs > 0) {
      // The demo tells the whole story: its newest commit answers 5xx once a deploy puts it in place, the
      // verification catches it, the bot rolls back on its own, the rollback passes and pins the repo.
      database.stores.integrations.upsert({
        owner: demo.owner,
        repo: demo.repo,
        ...sim.appUrls(demo.deployProjectId),
        verifyWindowMs: config.demoVerifyWindowMs,
        autoRollback: true,
      });
      const newest = demo.commits[0];
      if (newest) sim.setAppBehaviour(newest.imageTag, { errorShare: 0.2 }, { afterDeploy: true });
    }
    const client = new NcpClient({
      ...sim.clientOptions(config.ncpTimeoutMs),
      connections: config.ncpConnections,
      logger,
      ...observe,
    });
    return {
      port: client,
      simulatorNotice: `No NCP credentials (NCP_ACCESS_KEY/NCP_SECRET_KEY): using the built-in NCP simulator at ${sim.baseUrl}, seeded with ${demo.owner}/${demo.repo}. Nothing on Naver Cloud Platform is touched.`,
      close: async () => {
        await client.close();
        await sim.stop();
      },
    };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}
