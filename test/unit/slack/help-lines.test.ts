import { describe, expect, it } from 'vitest';
import { parseWithGrammar } from '../../../src/intent/grammar.ts';
import { helpLines } from '../../../src/slack/blocks/replies.ts';
import { commandToMessage, slashCommands } from '../../../src/slack/commands.ts';

// Help must only show commands that work: each line goes through the same path a real message takes.
describe('Slack help lines', () => {
  for (const line of helpLines) {
    for (const text of Object.values(line.text)) {
      it(`"${text}" is understood`, () => {
        const slash = slashCommands.find((c) => text.startsWith(`${c} `));
        const msg = slash
          ? commandToMessage(slash, text.slice(slash.length))
          : { text: text.replace(/^@klepaas\s+/, ''), hint: undefined };
        const intent = parseWithGrammar(msg.text, msg.hint ? { hint: msg.hint } : {});
        expect(intent.intent).not.toBe('unknown');
        expect(intent.repo).toBe('test01');
      });
    }
  }
});
