import { loadConfig, loadDotEnv } from '../../config/load.ts';
import { startNcpSimulator } from './index.ts';

/** Runs the simulator alone (`node src/ncp/simulator/main.ts`), seeded with the demo project, until stopped. */
loadDotEnv();
const config = loadConfig(process.env);
const sim = await startNcpSimulator(config.simulator);
const demo = await sim.seedDemo();
const lines = [
  'NCP simulator (not Naver Cloud Platform) listening on 127.0.0.1',
  `  NCP_SOURCEBUILD_URL=${sim.sourceBuildUrl}`,
  `  NCP_SOURCEDEPLOY_URL=${sim.sourceDeployUrl}`,
  `  NCP_SOURCECOMMIT_GIT_URL=${sim.gitBaseUrl}`,
  `  NCR registry host: ${sim.registryHost} (http)`,
  `  NCP_ACCESS_KEY=${sim.accessKey}`,
  '  NCP_SECRET_KEY=<printed only on request: set SIM_PRINT_SECRET=1>',
  `  NCP_GIT_USERNAME=${sim.gitUsername}`,
  '  NCP_GIT_PASSWORD=<printed only on request: set SIM_PRINT_SECRET=1>',
  `  demo: ${demo.owner}/${demo.repo} (SourceCommit project ${demo.scProjectId}) build ${demo.buildProjectId}, deploy ${demo.deployProjectId}/${demo.deployStageId}/${demo.deployScenarioId}, image ${demo.imageName}`,
  `  phase ${config.simulator.phaseMs} ms; Ctrl-C to stop`,
];
if (process.env.SIM_PRINT_SECRET === '1') {
  lines[6] = `  NCP_SECRET_KEY=${sim.secretKey}`;
  lines[8] = `  NCP_GIT_PASSWORD=${sim.gitPassword}`;
}
console.log(lines.join('\n'));
const stop = () => {
  sim.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
