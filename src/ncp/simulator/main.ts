import { loadConfig, loadDotEnv } from '../../config/load.ts';
import { ncpEnvOf, startNcpSimulator } from './index.ts';

/** Runs the simulator alone (`node src/ncp/simulator/main.ts`), seeded with the demo project, until stopped. */
loadDotEnv();
const config = loadConfig(process.env);
const sim = await startNcpSimulator(config.simulator);
const demo = await sim.seedDemo();
// The same settings tests hand to the processes they start; the secrets only when asked for.
const secret = new Set(['NCP_SECRET_KEY', 'NCP_GIT_PASSWORD']);
const showSecrets = process.env.SIM_PRINT_SECRET === '1';
const lines = [
  'NCP simulator (not Naver Cloud Platform) listening on 127.0.0.1',
  ...Object.entries(ncpEnvOf(sim)).map(([k, v]) =>
    secret.has(k) && !showSecrets
      ? `  ${k}=<printed only on request: set SIM_PRINT_SECRET=1>`
      : `  ${k}=${v}`,
  ),
  `  NCR registry host: ${sim.registryHost} (http)`,
  `  demo: ${demo.owner}/${demo.repo} (SourceCommit project ${demo.scProjectId}) build ${demo.buildProjectId}, deploy ${demo.deployProjectId}/${demo.deployStageId}/${demo.deployScenarioId}, image ${demo.imageName}`,
  `  phase ${config.simulator.phaseMs} ms; Ctrl-C to stop`,
];
console.log(lines.join('\n'));
const stop = () => {
  sim.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
