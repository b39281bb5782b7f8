import type { PipelineStage } from '../../domain/deployment.ts';

const call = (what: 'build' | 'deploy') =>
  what === 'build' ? 'SourceBuild StartBuild' : 'SourceDeploy Deploy';

/**
 * Why a record in doubt ended failed: the step it stopped at, and whether NCP's own history was asked
 * (`asked`) or the step came before any start call, so NCP cannot have a run of it.
 */
export function neverStarted(what: 'build' | 'deploy', stage: PipelineStage | null, asked = false): string {
  const at = stage ?? 'resolve';
  return asked
    ? `The start stopped at ${at} without NCP's answer, and NCP's history has no ${what} run since then: ${call(what)} never started it. Nothing runs from this request; it can be asked again.`
    : `The start stopped at ${at}, before ${call(what)} was called (the process ended): NCP never started a ${what} for it. Nothing runs from this request; it can be asked again.`;
}

export const startAdopted = (stage: PipelineStage | null, runId: string): string =>
  `adopted NCP run ${runId} (start in doubt at ${stage ?? 'resolve'})`;
