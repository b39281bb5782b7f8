import { runCommand } from './run.ts';

export default runCommand('slack', 'run the Slack app (needs SLACK_BOT_TOKEN)');
