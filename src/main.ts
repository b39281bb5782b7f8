import { argv, exit, stderr } from 'node:process';
import { launch } from './launch.ts';

// `npm start`: the Slack app when Slack credentials are set, the console chat otherwise.
launch(argv[2] === 'console' ? 'console' : 'auto').then(
  (code) => exit(code),
  (err: unknown) => {
    stderr.write(`klepaas-bot failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    exit(1);
  },
);
