import { describe, expect, it } from 'vitest';
import type { Intent } from '../../../src/domain/intent.ts';
import { unknownIntent } from '../../../src/domain/intent.ts';
import { checkLlmAnswer, type LlmAnswer, typedSpelling } from '../../../src/intent/llm-check.ts';

const none = {
  owner: null,
  repo: null,
  commitSha: null,
  stepsBack: null,
  ref: null,
  reason: null,
  target: null,
  minutes: null,
  note: null,
  force: false,
  followUp: null,
} as const;

const answer = (a: Partial<LlmAnswer> & Pick<LlmAnswer, 'intent'>): LlmAnswer => ({
  ...none,
  lang: 'en',
  ...a,
});
const grammar = (g: Partial<Intent> & Pick<Intent, 'intent'>): Intent => ({
  ...none,
  lang: 'en',
  source: 'grammar',
  ...g,
});
const notUnderstood = unknownIntent('en', 'not_understood');

function why(text: string, a: unknown, g: Intent = notUnderstood): string | null {
  const r = checkLlmAnswer(text, a, g);
  return r.accepted ? null : r.why;
}

describe('checkLlmAnswer: schema and shape', () => {
  it('accepts a grounded answer', () => {
    expect(
      checkLlmAnswer(
        'go back on test01 please',
        answer({ intent: 'rollback', repo: 'test01', stepsBack: 1 }),
        notUnderstood,
      ),
    ).toEqual({ accepted: true });
  });

  it('rejects what does not validate against the intent schema', () => {
    expect(why('test01', { intent: 'rollback' })).toMatch(/not a valid intent/);
    expect(why('test01', { ...answer({ intent: 'help' }), source: 'llm' })).toMatch(/not a valid intent/);
    expect(why('test01', { ...answer({ intent: 'help' }), intent: 'nuke' })).toMatch(/not a valid intent/);
    expect(why('test01', 'rollback')).toMatch(/not a valid intent/);
  });

  it('rejects slots that do not belong to the intent', () => {
    expect(why('test01 history', answer({ intent: 'history', repo: 'test01', stepsBack: 2 }))).toMatch(
      /stepsBack/,
    );
    expect(why('deploy main', answer({ intent: 'status', ref: 'main' }))).toMatch(/ref on a status/);
    expect(why('huh', answer({ intent: 'unknown' }))).toMatch(/without a reason/);
    expect(why('help', answer({ intent: 'help', reason: 'negation' }))).toMatch(/reason/);
    expect(
      why(
        'rollback test01 c39eb54',
        answer({ intent: 'rollback', repo: 'test01', commitSha: 'c39eb54', stepsBack: 1 }),
      ),
    ).toMatch(/exactly one/);
    expect(why('rollback test01', answer({ intent: 'rollback', repo: 'test01' }))).toMatch(/exactly one/);
  });
});

describe('checkLlmAnswer: every slot must be in the message', () => {
  it('rejects a repo the user never typed, and a prefix of one they did', () => {
    expect(why('roll back the app', answer({ intent: 'rollback', repo: 'payments', stepsBack: 1 }))).toMatch(
      /repo "payments" not in the message/,
    );
    expect(why('roll back test01', answer({ intent: 'rollback', repo: 'test', stepsBack: 1 }))).toMatch(
      /not in the message/,
    );
  });

  it('finds repos glued to Korean particles, in owner/repo, URLs, Slack links and backticks, any case', () => {
    const ok = (text: string, owner: string | null, repo: string) =>
      expect(why(text, answer({ intent: 'history', owner, repo })), text).toBeNull();
    ok('test01을 되돌릴 수 있는 버전', null, 'test01');
    ok('api-server의 기록', null, 'api-server');
    ok('K-Le-PaaS/test01 이력', 'K-Le-PaaS', 'test01');
    ok('k-le-paas/TEST01 이력', 'K-Le-PaaS', 'test01');
    ok('history of https://github.com/K-Le-PaaS/test01.git', 'K-Le-PaaS', 'test01');
    ok('history of <https://github.com/K-Le-PaaS/my.app|K-Le-PaaS/my.app>', 'K-Le-PaaS', 'my.app');
    ok('history of `test01`.', null, 'test01');
  });

  it('rejects names that break GitHub naming rules even when present', () => {
    expect(why('K-Le-PaaS/test01 history', answer({ intent: 'history', repo: 'K-Le-PaaS/test01' }))).toMatch(
      /not a repository name/,
    );
    expect(why('-bad/x history', answer({ intent: 'history', owner: '-bad', repo: 'x' }))).toMatch(
      /not a GitHub owner/,
    );
  });

  it('accepts a SHA that prefixes a hex token the user typed, in any case, glued to particles or brackets', () => {
    const ok = (text: string, sha: string) =>
      expect(why(text, answer({ intent: 'rollback', repo: 'test01', commitSha: sha })), text).toBeNull();
    ok('test01 C39EB54로 되돌려', 'c39eb54');
    ok('test01 (c39eb54d2) please', 'c39eb54');
    ok('test01 c39eb54d2f0a1b2c3d4e5f60718293a4b5c6d7e8 로', 'c39eb54d2f0a1b2c3d4e5f60718293a4b5c6d7e8');
  });

  it('rejects invented, extended, too short and word-like SHAs', () => {
    const bad = (text: string, sha: string) =>
      why(text, answer({ intent: 'rollback', repo: 'test01', commitSha: sha }));
    expect(bad('take test01 back to the good one', 'c39eb54')).toMatch(/not in the message/);
    expect(bad('test01 to c39eb54', 'c39eb54aa')).toMatch(/not in the message/);
    expect(bad('test01 to c39eb5', 'c39eb5')).toMatch(/7-40 hex/);
    expect(bad('test01 to xc39eb54', 'c39eb54')).toMatch(/not in the message/);
    expect(bad('test01 to facade', 'facaded')).toMatch(/word/);
    expect(
      why('roll back abc1234', answer({ intent: 'rollback', repo: 'abc1234', commitSha: 'abc1234' })),
    ).toMatch(/repo name/);
  });

  it('requires a ref as a whole name in the message', () => {
    expect(
      why(
        'deploy test01 from feature/login',
        answer({ intent: 'deploy', repo: 'test01', ref: 'feature/login' }),
      ),
    ).toBeNull();
    expect(
      why('deploy test01 refs/heads/main', answer({ intent: 'deploy', repo: 'test01', ref: 'main' })),
    ).toBeNull();
    expect(
      why('deploy test01 from domain', answer({ intent: 'deploy', repo: 'test01', ref: 'main' })),
    ).toMatch(/not in the message/);
    expect(why('deploy test01', answer({ intent: 'deploy', repo: 'test01', ref: 'release' }))).toMatch(
      /not in the message/,
    );
  });

  it('takes worded step counts up to ten; larger ones must be typed', () => {
    const steps = (text: string, n: number) =>
      why(text, answer({ intent: 'rollback', repo: 'test01', stepsBack: n }));
    expect(steps('test01 세 단계 전으로', 3)).toBeNull();
    expect(steps('test01 back a couple of releases', 2)).toBeNull();
    expect(steps('test01 back 12 releases', 12)).toBeNull();
    expect(steps('test01 back a lot', 12)).toMatch(/not written/);
    expect(steps('test01 back', 0)).toMatch(/below 1/);
    expect(steps('test01 back -2', -2)).toMatch(/below 1/);
  });
});

describe('checkLlmAnswer: the grammar has the last word on what it is sure of', () => {
  it.each(['negation', 'multiple_commands', 'invalid_steps'] as const)(
    'never turns a %s unknown into an action',
    (reason) => {
      const g = unknownIntent('ko', reason);
      expect(
        why('test01 롤백하지 마', answer({ intent: 'rollback', repo: 'test01', stepsBack: 1 }), g),
      ).toMatch(reason);
      expect(why('test01 롤백하지 마', answer({ intent: 'history', repo: 'test01' }), g)).toMatch(reason);
      expect(why('test01 롤백하지 마', answer({ intent: 'unknown', reason }), g)).toBeNull();
    },
  );

  it('lets the model turn an action into a refusal, never the reverse for destructive intents', () => {
    const g = grammar({ intent: 'rollback', repo: 'test01', stepsBack: 1 });
    expect(why('test01 롤백 하지말고', answer({ intent: 'unknown', reason: 'negation' }), g)).toBeNull();
    expect(
      why(
        'status of test01',
        answer({ intent: 'rollback', repo: 'test01', stepsBack: 1 }),
        grammar({ intent: 'status', repo: 'test01' }),
      ),
    ).toMatch(/rollback where the grammar read status/);
    expect(
      why(
        'deploy test01 main',
        answer({ intent: 'rollback', repo: 'test01', stepsBack: 1 }),
        grammar({ intent: 'deploy', repo: 'test01', ref: 'main' }),
      ),
    ).toMatch(/grammar read deploy/);
  });

  it('rejects a different repo, owner, commit, step count or ref than the grammar found', () => {
    const text = 'K-Le-PaaS/test01 api-server c39eb54 d41d8cd 2 3 main dev rollback';
    const g = grammar({ intent: 'rollback', owner: 'K-Le-PaaS', repo: 'test01', stepsBack: 2 });
    expect(why(text, answer({ intent: 'rollback', repo: 'api-server', stepsBack: 2 }), g)).toMatch(/differs/);
    expect(why(text, answer({ intent: 'rollback', repo: 'test01', stepsBack: 3 }), g)).toMatch(
      /stepsBack 3 differs/,
    );
    expect(
      why(text, answer({ intent: 'rollback', owner: 'k-le-paas', repo: 'TEST01', stepsBack: 2 }), g),
    ).toBeNull();
    const gs = grammar({ intent: 'rollback', repo: 'test01', commitSha: 'c39eb54' });
    expect(why(text, answer({ intent: 'rollback', repo: 'test01', commitSha: 'd41d8cd' }), gs)).toMatch(
      /commit/,
    );
    expect(why(text, answer({ intent: 'rollback', repo: 'test01', stepsBack: 1 }), gs)).toMatch(
      /dropped the commit/,
    );
    const gd = grammar({ intent: 'deploy', repo: 'test01', ref: 'main' });
    expect(why(text, answer({ intent: 'deploy', repo: 'test01', ref: 'dev' }), gd)).toMatch(/ref/);
  });
});

describe('typedSpelling', () => {
  it('returns the name as the message spells it', () => {
    expect(typedSpelling('k-le-paas/Test01 롤백', 'test01')).toBe('Test01');
    expect(typedSpelling('nothing here', 'test01')).toBe('test01');
  });
});

describe('grounding of the new slots', () => {
  it('never lets the model turn a question into an action, or an unreadable target into a count', () => {
    expect(
      why('누가 test01 롤백했어?', answer({ intent: 'rollback', repo: 'test01', stepsBack: 1 })),
    ).toMatch(/question/);
    const g = grammar({ intent: 'rollback', repo: 'test01', target: 'main' });
    expect(
      why('rollback test01 to main', answer({ intent: 'rollback', repo: 'test01', stepsBack: 1 }), g),
    ).toMatch(/target "main"/);
  });

  it('checks lock minutes, note, target and force against the message', () => {
    const text = 'lock test01 for 2 hours because of the freeze';
    const g = grammar({ intent: 'lock', repo: 'test01' });
    expect(
      why(text, answer({ intent: 'lock', repo: 'test01', minutes: 120, note: 'the freeze' }), g),
    ).toBeNull();
    expect(why(text, answer({ intent: 'lock', repo: 'test01', minutes: 90 }), g)).toMatch(/minutes 90/);
    expect(why(text, answer({ intent: 'lock', repo: 'test01', note: 'a party' }), g)).toMatch(/note/);
    expect(
      why('rollback test01', answer({ intent: 'rollback', repo: 'test01', stepsBack: 1, force: true })),
    ).toMatch(/force/);
    expect(
      why(
        'rollback test01 to yesterday',
        answer({ intent: 'rollback', repo: 'test01', target: 'last week' }),
      ),
    ).toMatch(/target "last week" not in the message/);
  });
});
