import { describe, expect, it } from 'vitest';
import { commandToMessage, stripBotMention } from '../../../src/slack/commands.ts';

describe('commandToMessage', () => {
  it.each([
    ['diagnose test01', 'diagnose'],
    ['Candidates K-Le-PaaS/test01', 'candidates'],
    ['history test01', 'history'],
    ['status test01', 'status'],
    ['help', 'help'],
    ['test01', 'rollback'],
    ['test01 c39eb54', 'rollback'],
    ['test01 2', 'rollback'],
    ['test01 두 단계 전으로', 'rollback'],
    ['diagnosed test01', 'rollback'],
  ] as const)('/rollback %s hints %s and keeps the words', (text, hint) => {
    expect(commandToMessage('/rollback', text)).toEqual({ text, hint });
  });

  it('treats an empty /rollback as help and /deploy text as deploy', () => {
    expect(commandToMessage('/rollback', '  ')).toEqual({ text: 'help', hint: 'help' });
    expect(commandToMessage('/deploy', ' test01 main ')).toEqual({ text: 'test01 main', hint: 'deploy' });
    expect(commandToMessage('/deploy', '')).toEqual({ text: '', hint: 'help' });
  });
});

describe('stripBotMention', () => {
  it('drops the bot mention wherever it is, keeping other mentions', () => {
    expect(stripBotMention('<@U0BOT> K-Le-PaaS/test01 롤백 해줘', 'U0BOT')).toBe(
      'K-Le-PaaS/test01 롤백 해줘',
    );
    expect(stripBotMention('rollback <@U0BOT|klepaas> test01', 'U0BOT')).toBe('rollback test01');
    expect(stripBotMention('<@U0BOT> tell <@U1OTHER> status test01', 'U0BOT')).toBe(
      'tell <@U1OTHER> status test01',
    );
  });

  it('without a known bot id drops only a leading mention', () => {
    expect(stripBotMention('<@U0BOT> status test01 <@U1>', undefined)).toBe('status test01 <@U1>');
  });
});
