import { runCommand } from './run.ts';

export default runCommand('console', 'chat in the terminal (against the simulator when no NCP keys are set)');
